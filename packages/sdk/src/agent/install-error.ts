import type { ResultCode } from '@onenet-ota/openapi/protocol';

/** Upgrade failure codes a host's `install` may report (2xx except 201, 207 and 208, which the agent decides). */
export type InstallFailureCode =
  | typeof ResultCode.UpgradeLowBattery
  | typeof ResultCode.UpgradeOutOfMemory
  | typeof ResultCode.UpgradeVersionMismatch
  | typeof ResultCode.UpgradeMd5Mismatch
  | typeof ResultCode.UpgradeFailed;

/**
 * Thrown by a host's `install` callback to report a specific upgrade failure; any other error reports 206
 * (upgrade failed, unknown error).
 *
 * @example
 * install: async () => { if (battery() < 10) throw new InstallError(202, 'battery too low to flash'); }
 */
export class InstallError extends Error {
  override name = 'InstallError';
  readonly code: InstallFailureCode;
  constructor(code: InstallFailureCode, message: string) {
    super(message);
    this.code = code;
  }
}
