import type { Context } from '../context.ts';
import { newUpgradeToken } from './ids.ts';
import type { DeviceTaskRecord, TokenRecord } from './records.ts';
import { fileOf } from './tasks.ts';

/** Whether a token is past its 48 h of platform time. */
export function isExpired(ctx: Context, token: TokenRecord): boolean {
  return ctx.clock.now() >= token.issuedAt + ctx.settings.tokenLifetimeMs;
}

/**
 * The device's token for its task: the same one while it is valid, a new one once it expired (protocol §2.11).
 * `rotate` issues a new one even while the old is valid, which then answers 15 (the older platform's behaviour).
 */
export function tokenFor(ctx: Context, deviceTask: DeviceTaskRecord, rotate = false): TokenRecord {
  const current = deviceTask.token ? ctx.state.tokens.get(deviceTask.token) : undefined;
  if (current && !current.revoked && !isExpired(ctx, current) && !rotate) return current;
  const file = fileOf(ctx, deviceTask.taskId);
  const token: TokenRecord = {
    token: newUpgradeToken(),
    devId: deviceTask.devId,
    taskId: deviceTask.taskId,
    issuedAt: ctx.clock.now(),
    file: { kind: file.kind, id: file.record.id, size: file.record.size },
  };
  if (current && !isExpired(ctx, current)) current.supersededBy = token.token;
  ctx.state.tokens.set(token.token, token);
  deviceTask.token = token.token;
  return token;
}
