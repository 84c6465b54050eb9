import { CheckErrno, ModuleType } from '@onenet-ota/openapi/protocol';
import type { Context } from '../core/context.ts';
import type { DeviceRecord, DeviceTaskRecord, TaskRecord } from '../core/domain/records.ts';
import { callOutcome } from '../core/domain/state-machine.ts';
import { activeDeviceTask, moveDevice } from '../core/domain/tasks.ts';

/** The device's task as a check finds it, or the legacy errno that says why there is none to hand out. */
export type TaskAtCheck = { task: TaskRecord; deviceTask: DeviceTaskRecord } | { refused: CheckErrno; note: string };

/**
 * What every generation's check does first: record the version it is given, task or not ("无论是否检测到升级任务
 * 都会将version的值更新为设备…的版本号"), find the device's running task for the module, and ask the state machine
 * what a check answers in the device's state (paused 19, finished 11).
 */
export function taskAtCheck(ctx: Context, device: DeviceRecord, type: unknown, version: string): TaskAtCheck {
  const module = type === ModuleType.Fota ? 'fota' : 'sota';
  device[module === 'fota' ? 'fVersion' : 'sVersion'] = version;
  const active = activeDeviceTask(ctx, device.devId, module);
  if (!active)
    return {
      refused: CheckErrno.NoTask,
      note: `no running task for ${module} on device ${device.devId} (${device.name})`,
    };
  const outcome = callOutcome(active.deviceTask.state, 'checkTask');
  if (outcome.errno !== CheckErrno.Success)
    return { refused: outcome.errno ?? CheckErrno.InternalError, note: `device is ${active.deviceTask.state}` };
  return active;
}

/**
 * A differential task made from another version than the device's fails the task for it (legacy errno 9, the
 * other generations' "no task"); returns why, or undefined when the package fits.
 */
export function failOnWrongBase(
  ctx: Context,
  task: TaskRecord,
  deviceTask: DeviceTaskRecord,
  version: string,
): string | undefined {
  const diff = task.diffId ? ctx.state.diffs.get(task.diffId) : undefined;
  if (!diff || diff.initialVersion === version) return undefined;
  deviceTask.lastErrno = CheckErrno.VersionMismatch;
  moveDevice(ctx, task, deviceTask, 'failed');
  return `differential package needs ${diff.initialVersion}, device is on ${version}`;
}
