import type { Context } from '../core/context.ts';
import type { DeviceRecord } from '../core/domain/records.ts';
import { callOutcome } from '../core/domain/state-machine.ts';
import { activeDeviceTask, moveDevice } from '../core/domain/tasks.ts';

/**
 * Records a device's reported versions, and completes a task whose target the device now reports ("平台会将该升级
 * 任务设定为“已完成”状态", protocol §2.1); every generation's version report does this.
 */
export function recordVersions(
  ctx: Context,
  device: DeviceRecord,
  versions: { f_version?: string; s_version?: string },
): void {
  for (const [field, module] of [
    ['f_version', 'fota'],
    ['s_version', 'sota'],
  ] as const) {
    const version = versions[field];
    if (version === undefined) continue;
    device[module === 'fota' ? 'fVersion' : 'sVersion'] = version;
    const active = activeDeviceTask(ctx, device.devId, module);
    if (active && active.task.targetVersion === version) {
      const to = callOutcome(active.deviceTask.state, 'reportVersion').toIfTargetVersion;
      if (to) moveDevice(ctx, active.task, active.deviceTask, to);
    }
  }
}

/** The versions the platform recorded for a device, as every generation answers them; one never reported is absent. */
export function recordedVersions(device: DeviceRecord): { f_version?: string; s_version?: string } {
  const { fVersion, sVersion } = device;
  return { ...(fVersion ? { f_version: fVersion } : {}), ...(sVersion ? { s_version: sVersion } : {}) };
}
