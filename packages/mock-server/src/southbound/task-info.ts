import { PackageKind } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import type { Context } from '../core/context.ts';
import type { TaskRecord, TokenRecord } from '../core/domain/records.ts';
import { fileOf } from '../core/domain/tasks.ts';

type TaskInfo = components['schemas']['TaskInfo'];

/**
 * The task as `checkTask` and `getTasking` return it: the file's size and md5 (the differential package's for
 * a diff task, `type` 2), the token, and the strategy values the device enforces. `ipPort` only for `cdn=true`:
 * the host and port the device reached the platform on.
 */
export function taskInfo(ctx: Context, task: TaskRecord, token: TokenRecord, cdn: boolean, url: URL): TaskInfo {
  const { target, size, md5, type } = fileFacts(ctx, task);
  const { signal, power, retry: policy } = task.strategy;
  const retry = policy.mode === 'retry' ? policy.count : 0;
  const interval = policy.mode === 'retry' ? policy.intervalSeconds : 0;
  const tokenText = token.token;
  // Two literals in OneNET's key order rather than spreads: a polling device's every check makes one (perf).
  return cdn
    ? { target, size, md5, token: tokenText, signal, power, retry, interval, ipPort: url.host, type }
    : { target, size, md5, token: tokenText, signal, power, retry, interval, type };
}

/**
 * What every generation's check says of the file a task hands out: the target version, and the size, md5 and kind
 * of the package (the differential package's for a diff task, `type` 2).
 */
export function fileFacts(
  ctx: Context,
  task: TaskRecord,
): Pick<TaskInfo, 'target' | 'size' | 'md5'> & { type: PackageKind } {
  const file = fileOf(ctx, task.id);
  return {
    target: task.targetVersion,
    size: file.record.size,
    md5: file.record.md5,
    type: file.kind === 'diff' ? PackageKind.Differential : PackageKind.Full,
  };
}
