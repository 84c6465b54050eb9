import { TidTaskStatus } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import type { Context } from '../../core/context.ts';
import { type DeviceRecord, type DeviceTaskRecord, deviceTaskKey, type TaskRecord } from '../../core/domain/records.ts';

/** The device's part in task `tid` of its product, or undefined when it has none. */
export function taskOf(
  ctx: Context,
  device: DeviceRecord,
  tid: unknown,
): { task: TaskRecord; deviceTask: DeviceTaskRecord } | undefined {
  for (const task of ctx.state.tasks.values()) {
    if (task.tid !== tid || task.productId !== device.productId) continue;
    const deviceTask = ctx.state.deviceTasks.get(deviceTaskKey(task.id, device.devId));
    return deviceTask ? { task, deviceTask } : undefined;
  }
  return undefined;
}

const statusOf: Record<components['schemas']['DeviceTaskState'], TidTaskStatus> = {
  pending: TidTaskStatus.Waiting,
  downloading: TidTaskStatus.Downloading,
  upgrading: TidTaskStatus.Upgrading,
  succeeded: TidTaskStatus.Succeeded,
  failed: TidTaskStatus.Failed,
  canceled: TidTaskStatus.Canceled,
  paused: TidTaskStatus.Waiting,
};

/**
 * A device's status as Studio and the new platform report it. One held by a paused task reads as waiting (1), also
 * when its download had finished: these generations have no "task paused" answer, and a device that polls the status
 * before installing (as the reference agent does) learns to wait from it.
 */
export function tidStatus(deviceTask: DeviceTaskRecord): TidTaskStatus {
  return statusOf[deviceTask.state];
}
