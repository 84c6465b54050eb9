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
  const { type, ...file } = fileFacts(ctx, task);
  const { signal, power, retry } = task.strategy;
  return {
    ...file,
    token: token.token,
    signal,
    power,
    retry: retry.mode === 'retry' ? retry.count : 0,
    interval: retry.mode === 'retry' ? retry.intervalSeconds : 0,
    ...(cdn ? { ipPort: url.host } : {}),
    type,
  };
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
