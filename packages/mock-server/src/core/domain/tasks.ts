import { ResultCode, stateMachine } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import type { Context } from '../context.ts';
import {
  type DeviceTaskRecord,
  type DiffRecord,
  deviceTaskKey,
  type PackageRecord,
  type TaskRecord,
} from './records.ts';
import {
  type DeviceState,
  isTerminal,
  type TaskEvent,
  type TaskStateName,
  taskAutomaticTarget,
  taskEventTarget,
} from './state-machine.ts';

type TaskStats = components['schemas']['TaskStats'];

/** The file a task's devices download: its differential package, or its full package. */
export function fileOf(
  ctx: Context,
  taskId: string,
): { kind: 'package'; record: PackageRecord } | { kind: 'diff'; record: DiffRecord } {
  const task = ctx.state.tasks.get(taskId);
  if (!task) throw new Error(`task ${taskId} vanished`);
  const diff = task.diffId ? ctx.state.diffs.get(task.diffId) : undefined;
  if (diff) return { kind: 'diff', record: diff };
  const pkg = ctx.state.packages.get(task.packageId);
  if (!pkg) throw new Error(`package ${task.packageId} of task ${taskId} vanished`);
  return { kind: 'package', record: pkg };
}

export function deviceTasksOf(ctx: Context, task: TaskRecord): DeviceTaskRecord[] {
  return task.devIds.flatMap((devId) => ctx.state.deviceTasks.get(deviceTaskKey(task.id, devId)) ?? []);
}

/**
 * The device's unfinished part in a running or paused task for this module; there is at most one, because
 * starting a second task fails the device in it ("只能启动一个任务").
 */
export function activeDeviceTask(
  ctx: Context,
  devId: number,
  module: TaskRecord['module'],
): { task: TaskRecord; deviceTask: DeviceTaskRecord } | undefined {
  for (const task of ctx.state.tasks.values()) {
    if (task.module !== module || (task.state !== 'running' && task.state !== 'paused')) continue;
    const deviceTask = ctx.state.deviceTasks.get(deviceTaskKey(task.id, devId));
    if (deviceTask && !isTerminal(deviceTask.state)) return { task, deviceTask };
  }
  return undefined;
}

/** Moves a device to a state, stamping the times the API reports and what 201 changes. */
export function moveDevice(
  ctx: Context,
  task: TaskRecord,
  deviceTask: DeviceTaskRecord,
  to: DeviceState,
  code?: number,
): void {
  const now = ctx.clock.now();
  if (code !== undefined) deviceTask.lastCode = code;
  if (to === 'downloading') deviceTask.startedAt ??= now;
  if (to === 'upgrading' || (to === 'paused' && deviceTask.resumeTo === 'upgrading')) {
    deviceTask.downloadedAt ??= now;
    deviceTask.progress = 100;
  }
  if (to === 'succeeded') {
    const device = ctx.state.devices.get(deviceTask.devId);
    // "此时会把设备的版本号修改为任务的目标版本" (protocol §2.5, code 201).
    if (device) device[task.module === 'fota' ? 'fVersion' : 'sVersion'] = task.targetVersion;
  }
  if (isTerminal(to)) deviceTask.finishedAt = now;
  const from = deviceTask.state;
  deviceTask.state = to;
  deviceTask.updatedAt = now;
  if (from !== to) ctx.events.deviceMoved({ task, deviceTask, from, to });
  // Only a device finishing can finish the task; checking on every step would cost a pass over all devices.
  if (isTerminal(to)) settleTask(ctx, task);
}

/** (Re)creates the task's device entries, all pending, for the devices it resolved; before the start only. */
export function resetDeviceTasks(ctx: Context, task: TaskRecord): void {
  const now = ctx.clock.now();
  for (const [key, deviceTask] of ctx.state.deviceTasks)
    if (deviceTask.taskId === task.id) ctx.state.deviceTasks.delete(key);
  for (const devId of task.devIds) {
    const device = ctx.state.devices.get(devId);
    const fromVersion = device?.[task.module === 'fota' ? 'fVersion' : 'sVersion'];
    ctx.state.deviceTasks.set(deviceTaskKey(task.id, devId), {
      taskId: task.id,
      devId,
      state: 'pending',
      progress: 0,
      retriesUsed: 0,
      servedUpTo: 0,
      targetVersion: task.targetVersion,
      createdAt: now,
      updatedAt: now,
      ...(fromVersion ? { fromVersion } : {}),
    });
  }
}

/**
 * Moves a task to the state the spec's table gave for an action or a trigger, at `at` (now by default), and
 * marks the end of a task that can no longer change.
 */
export function moveTask(ctx: Context, task: TaskRecord, to: TaskStateName, at = ctx.clock.now()): void {
  task.state = to;
  task.updatedAt = ctx.clock.now();
  if (Object.keys(stateMachine.taskStates[to].actions).length === 0) task.endedAt = at;
}

/**
 * Starts a task (moving it to `to`, the table's target of `start` or of a scheduled start). A device already in
 * another running task fails in this one ("若设备已存在于一个正在执行的任务中，启动另外包含次设备的任务，此设备则会升级失败"),
 * as does a device deleted since the task was created.
 */
export function startTask(ctx: Context, task: TaskRecord, to: TaskStateName): void {
  const now = ctx.clock.now();
  const busy = task.devIds.filter(
    (devId) => activeDeviceTask(ctx, devId, task.module) || !ctx.state.devices.has(devId),
  );
  moveTask(ctx, task, to);
  task.startedAt = now;
  for (const devId of busy) {
    const deviceTask = ctx.state.deviceTasks.get(deviceTaskKey(task.id, devId));
    if (deviceTask) moveDevice(ctx, task, deviceTask, 'failed');
  }
  settleTask(ctx, task);
  ctx.events.taskStarted(
    task,
    task.devIds.filter((devId) => !busy.includes(devId)),
  );
}

/** Applies a task-level event (`x-ota-state-machine.taskEvents`) to every device of the task. */
export function applyTaskEvent(ctx: Context, task: TaskRecord, event: TaskEvent): void {
  for (const deviceTask of deviceTasksOf(ctx, task)) {
    const target = taskEventTarget(event, deviceTask.state);
    if (!target) continue;
    if (target === 'paused') deviceTask.resumeTo = deviceTask.state;
    const to = target === '$resumeTo' ? (deviceTask.resumeTo ?? 'pending') : target;
    if (target === '$resumeTo') delete deviceTask.resumeTo;
    // The deadline fails devices with 208 "设备升级过期" (protocol §2.5).
    moveDevice(ctx, task, deviceTask, to, event === 'deadline' ? ResultCode.UpgradeExpired : undefined);
  }
}

/**
 * How many of a task's devices, in `devIds` order, are known to have finished: a finished device never runs
 * again, so each settle goes on from there instead of walking the whole fleet for every device that finishes.
 */
const finishedPrefix = new WeakMap<TaskRecord, number>();

/** A task whose devices have all finished moves where the table says ("所有设备均已完成" → completed). */
export function settleTask(ctx: Context, task: TaskRecord): void {
  const to = taskAutomaticTarget(task.state, 'allDevicesFinished');
  if (!to) return;
  let i = finishedPrefix.get(task) ?? 0;
  for (; i < task.devIds.length; i++) {
    const deviceTask = ctx.state.deviceTasks.get(deviceTaskKey(task.id, task.devIds[i] as number));
    if (deviceTask && !isTerminal(deviceTask.state)) break;
  }
  finishedPrefix.set(task, i);
  if (i === task.devIds.length) moveTask(ctx, task, to);
}

/** Counts per state, adding up to `total`, and the success rate "升级成功设备数/该任务的总设备数". */
export function taskStats(ctx: Context, task: TaskRecord): TaskStats {
  const byState: TaskStats['byState'] = {
    pending: 0,
    downloading: 0,
    upgrading: 0,
    succeeded: 0,
    failed: 0,
    canceled: 0,
    paused: 0,
  };
  const deviceTasks = deviceTasksOf(ctx, task);
  for (const dt of deviceTasks) byState[dt.state]++;
  const total = deviceTasks.length;
  return { total, byState, successRate: total === 0 ? 0 : byState.succeeded / total };
}
