import { ResultCode } from '@onenet-ota/openapi/protocol';
import { Md5 } from '../crypto/md5.ts';
import type { components } from '../generated/openapi.ts';
import { InstallError } from './install-error.ts';

type TaskInfo = components['schemas']['TaskInfo'];

/**
 * The agent's default `verify`: the downloaded package's md5 must be the one the task check gave, or the upgrade
 * fails with 205. A host that adds its own check (a signature, a header) calls this first.
 *
 * @example
 * verify: async (read, task) => { await verifyMd5(read, task); await checkSignature(read()); },
 */
export async function verifyMd5(read: () => AsyncIterable<Uint8Array>, task: TaskInfo): Promise<void> {
  const md5 = new Md5();
  for await (const piece of read()) md5.update(piece);
  const actual = md5.hex();
  if (actual !== task.md5)
    throw new InstallError(ResultCode.UpgradeMd5Mismatch, `package md5 ${actual} is not ${task.md5}`);
}
