import type { components } from '@onenet-ota/sdk';
import type { Context } from '../core/context.ts';
import type { TaskRecord, TokenRecord } from '../core/records.ts';
import { fileOf } from '../core/tasks.ts';

type TaskInfo = components['schemas']['TaskInfo'];

/**
 * The task as `checkTask` and `getTasking` return it: the file's size and md5 (the differential package's for
 * a diff task, `type` 2), the token, and the strategy values the device enforces. `ipPort` only for `cdn=true`:
 * the host and port the device reached the platform on.
 */
export function taskInfo(ctx: Context, task: TaskRecord, token: TokenRecord, cdn: boolean, url: URL): TaskInfo {
  const file = fileOf(ctx, task.id);
  const { signal, power, retry } = task.strategy;
  return {
    target: task.targetVersion,
    token: token.token,
    size: file.record.size,
    md5: file.record.md5,
    signal,
    power,
    retry: retry.mode === 'retry' ? retry.count : 0,
    interval: retry.mode === 'retry' ? retry.intervalSeconds : 0,
    ...(cdn ? { ipPort: url.host } : {}),
    type: file.kind === 'diff' ? 2 : 1,
  };
}
