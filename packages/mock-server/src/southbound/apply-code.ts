import { bounds, Errno } from '@onenet-ota/openapi/protocol';
import type { Context } from '../core/context.ts';
import type { DeviceTaskRecord, TaskRecord } from '../core/domain/records.ts';
import { type CodeOutcome, codeOutcome } from '../core/domain/state-machine.ts';
import { moveDevice } from '../core/domain/tasks.ts';

/** What a reported step or status code did: accepted, refused with the state machine's errno, or not a code. */
export type CodeVerdict = { accepted: true } | { refused: NonNullable<CodeOutcome['errno']> } | { unknown: true };

/**
 * Applies a step (0–100) or status code to a device's task as `x-ota-state-machine` says, in every generation:
 * progress never goes down, and 100/101 lead to `paused` instead of `upgrading` while the task is paused.
 */
export function applyCode(ctx: Context, task: TaskRecord, deviceTask: DeviceTaskRecord, code: number): CodeVerdict {
  const outcome = codeOutcome(deviceTask.state, code);
  if (!outcome) return { unknown: true };
  if (outcome.errno !== undefined) {
    deviceTask.lastErrno = outcome.errno;
    return { refused: outcome.errno };
  }
  if (code <= bounds.Step.maximum) deviceTask.progress = Math.max(deviceTask.progress, code);
  let to = outcome.to ?? deviceTask.state;
  if (task.state === 'paused' && outcome.toIfTaskPaused) {
    deviceTask.resumeTo = to;
    to = outcome.toIfTaskPaused;
  }
  deviceTask.lastErrno = Errno.Success;
  moveDevice(ctx, task, deviceTask, to, code);
  return { accepted: true };
}
