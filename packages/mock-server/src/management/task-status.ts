import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { deviceTaskKey } from '../core/domain/records.ts';
import { deviceTasksOf, taskStats } from '../core/domain/tasks.ts';
import { ProblemError } from '../core/http/responses.ts';
import { params, reply } from './input.ts';
import * as find from './lookup.ts';
import { page, toDeviceTaskStatus } from './serialize.ts';

/** Per-device status in a task, filtered by state. */
export function listTaskDevices(call: Call, ctx: Context): Response {
  const p = params(call, 'listTaskDevices');
  const task = find.task(ctx, p.productId, p.taskId);
  const statuses = deviceTasksOf(ctx, task)
    .filter((dt) => p.state === undefined || dt.state === p.state)
    .map((dt) => toDeviceTaskStatus(ctx, dt));
  return reply(200, page(statuses, p));
}

export function getTaskDevice(call: Call, ctx: Context): Response {
  const p = params(call, 'getTaskDevice');
  const task = find.task(ctx, p.productId, p.taskId);
  const deviceTask = ctx.state.deviceTasks.get(deviceTaskKey(task.id, Number(p.devId)));
  if (!deviceTask) throw new ProblemError('NotFound', `device ${String(p.devId)} is not in task ${task.id}`);
  return reply(200, toDeviceTaskStatus(ctx, deviceTask));
}

export function getTaskStats(call: Call, ctx: Context): Response {
  const p = params(call, 'getTaskStats');
  return reply(200, taskStats(ctx, find.task(ctx, p.productId, p.taskId)));
}
