import type { components } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { nextId, nextNumber, type TaskRecord } from '../core/domain/records.ts';
import { type TaskStateName, taskActionTarget, taskRules } from '../core/domain/state-machine.ts';
import { applyTaskEvent, moveTask, resetDeviceTasks, settleTask, startTask } from '../core/domain/tasks.ts';
import { ProblemError } from '../core/http/responses.ts';
import { jsonBody, noContent, params, reply } from './input.ts';
import * as find from './lookup.ts';
import { page, toTask } from './serialize.ts';

type Schemas = components['schemas'];

export function createTask(call: Call, ctx: Context): Response {
  const product = find.product(ctx, params(call, 'createTask').productId);
  const body = jsonBody<Schemas['TaskCreate']>(call, 'createTask');
  assertUniqueName(ctx, product.id, body.name);
  const now = ctx.clock.now();
  const task: TaskRecord = {
    id: nextId(ctx.state, 'tsk'),
    tid: nextNumber(ctx.state, 'tid'),
    productId: product.id,
    name: body.name,
    packageId: body.packageId,
    module: 'sota',
    targetVersion: '',
    targets: body.targets,
    strategy: withDefaults(body.strategy),
    state: 'not_started',
    devIds: [],
    createdAt: now,
    updatedAt: now,
  };
  configure(ctx, task, { diffId: body.diffId, initialVersion: body.initialVersion });
  ctx.state.tasks.set(task.id, task);
  resetDeviceTasks(ctx, task);
  return reply(201, toTask(task), `/api/v1/products/${product.id}/tasks/${task.id}`);
}

export function listTasks(call: Call, ctx: Context): Response {
  const p = params(call, 'listTasks');
  const product = find.product(ctx, p.productId);
  const tasks = [...ctx.state.tasks.values()].filter(
    (t) => t.productId === product.id && (p.state === undefined || t.state === p.state),
  );
  return reply(200, page(tasks.reverse().map(toTask), p));
}

export function getTask(call: Call, ctx: Context): Response {
  const p = params(call, 'getTask');
  return reply(200, toTask(find.task(ctx, p.productId, p.taskId)));
}

/** Edits are allowed only before the start ("当且仅当任务状态处于“未开始”时，才可以进行编辑操作"). */
export function updateTask(call: Call, ctx: Context): Response {
  const p = params(call, 'updateTask');
  const task = find.task(ctx, p.productId, p.taskId);
  const body = jsonBody<Schemas['TaskUpdate']>(call, 'updateTask');
  if (!taskRules(task.state).editable) refuseState(task, 'edited');
  if (body.name !== undefined && body.name !== task.name) assertUniqueName(ctx, task.productId, body.name);
  if (body.name !== undefined) task.name = body.name;
  if (body.packageId !== undefined) task.packageId = body.packageId;
  if (body.targets !== undefined) task.targets = body.targets;
  if (body.strategy !== undefined) task.strategy = withDefaults(body.strategy);
  configure(ctx, task, {
    diffId: body.diffId === undefined ? task.diffId : (body.diffId ?? undefined),
    initialVersion: body.initialVersion === undefined ? task.initialVersion : (body.initialVersion ?? undefined),
  });
  task.updatedAt = ctx.clock.now();
  resetDeviceTasks(ctx, task);
  return reply(200, toTask(task));
}

/** Deletes are allowed only when not started, stopped or completed (protocol §5.4). */
export function deleteTask(call: Call, ctx: Context): Response {
  const p = params(call, 'deleteTask');
  const task = find.task(ctx, p.productId, p.taskId);
  if (!taskRules(task.state).deletable) refuseState(task, 'deleted');
  for (const [key, dt] of ctx.state.deviceTasks) if (dt.taskId === task.id) ctx.state.deviceTasks.delete(key);
  for (const [key, token] of ctx.state.tokens) if (token.taskId === task.id) ctx.state.tokens.delete(key);
  ctx.state.tasks.delete(task.id);
  return noContent();
}

/** start, pause, resume, cancel: each allowed where `x-ota-state-machine.taskStates` says. */
export function controlTask(call: Call, ctx: Context): Response {
  const p = params(call, 'controlTask');
  const task = find.task(ctx, p.productId, p.taskId);
  const action = p.action as Schemas['TaskAction'];
  const target = taskActionTarget(task.state, action);
  if (!target) refuseState(task, pastTense[action]);
  if (action === 'start') startTask(ctx, task, target as TaskStateName);
  else {
    if (action !== 'resume') applyTaskEvent(ctx, task, action);
    moveTask(ctx, task, target as TaskStateName);
    if (action === 'resume') applyTaskEvent(ctx, task, 'resume');
    settleTask(ctx, task);
  }
  return reply(200, toTask(task));
}

const pastTense = { start: 'started', pause: 'paused', resume: 'resumed', cancel: 'canceled' } as const;

function withDefaults(input: Schemas['TaskStrategyInput'] | undefined): Schemas['TaskStrategy'] {
  return {
    signal: input?.signal ?? 0,
    power: input?.power ?? 0,
    retry: input?.retry ?? { mode: 'none' },
    start: input?.start ?? { mode: 'manual' },
    ...(input?.deadline ? { deadline: input.deadline } : {}),
  };
}

/**
 * Checks the package, diff and targets a task refers to and resolves its devices: the listed devices and the
 * groups' members, restricted to the diff's initial version (or `initialVersion`) when there is one.
 */
function configure(ctx: Context, task: TaskRecord, choice: { diffId?: string; initialVersion?: string }): void {
  const pkg = ctx.state.packages.get(task.packageId);
  if (!pkg || pkg.productId !== task.productId)
    throw badReference('packageId', `package ${task.packageId} does not exist in product ${task.productId}`);
  const diff = choice.diffId ? ctx.state.diffs.get(choice.diffId) : undefined;
  if (choice.diffId && (!diff || diff.packageId !== pkg.id))
    throw badReference('diffId', `package ${pkg.id} has no differential package ${choice.diffId}`);
  const devIds = new Set<number>();
  for (const devId of task.targets.devIds ?? []) {
    const device = ctx.state.devices.get(devId);
    if (!device || device.productId !== task.productId)
      throw badReference('targets/devIds', `device ${devId} does not exist in product ${task.productId}`);
    devIds.add(devId);
  }
  for (const groupId of task.targets.groupIds ?? []) {
    const group = ctx.state.groups.get(groupId);
    if (!group || group.productId !== task.productId)
      throw badReference('targets/groupIds', `group ${groupId} does not exist in product ${task.productId}`);
    for (const devId of group.devIds) devIds.add(devId);
  }
  const { start, deadline } = task.strategy;
  if (deadline && start.mode === 'scheduled' && Date.parse(deadline) <= Date.parse(start.at)) {
    throw badReference('strategy/deadline', 'the deadline must come after the scheduled start');
  }
  const initialVersion = diff?.initialVersion ?? choice.initialVersion;
  const versionField = pkg.module === 'fota' ? 'fVersion' : 'sVersion';
  task.module = pkg.module;
  task.targetVersion = pkg.targetVersion;
  if (diff) task.diffId = diff.id;
  else delete task.diffId;
  if (initialVersion) task.initialVersion = initialVersion;
  else delete task.initialVersion;
  task.devIds = [...devIds].filter(
    (devId) => !initialVersion || ctx.state.devices.get(devId)?.[versionField] === initialVersion,
  );
}

function badReference(field: string, detail: string): ProblemError {
  return new ProblemError('InvalidRequest', detail, { errors: [{ pointer: `#/body/${field}`, message: detail }] });
}

function assertUniqueName(ctx: Context, productId: string, name: string): void {
  if ([...ctx.state.tasks.values()].some((t) => t.productId === productId && t.name === name)) {
    throw new ProblemError('Conflict', `a task named ${name} already exists in product ${productId}`);
  }
}

function refuseState(task: TaskRecord, verb: string): never {
  throw new ProblemError('InvalidState', `task ${task.id} is ${task.state} and cannot be ${verb}`, {
    state: task.state,
  });
}
