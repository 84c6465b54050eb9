import type { components } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { newAccessKey } from '../core/domain/ids.ts';
import type { DeviceRecord } from '../core/domain/records.ts';
import { activeDeviceTask } from '../core/domain/tasks.ts';
import { ProblemError } from '../core/http/responses.ts';
import { jsonBody, noContent, params, reply } from './input.ts';
import * as find from './lookup.ts';
import { page, toDevice } from './serialize.ts';

type Schemas = components['schemas'];

export function createDevice(call: Call, ctx: Context): Response {
  const { productId } = params(call, 'createDevice');
  const product = find.product(ctx, productId);
  const body = jsonBody<Schemas['DeviceCreate']>(call, 'createDevice');
  const devices = [...ctx.state.devices.values()];
  if (body.devId !== undefined && ctx.state.devices.has(body.devId))
    throw new ProblemError('Conflict', `device id ${body.devId} is taken`);
  if (devices.some((d) => d.productId === product.id && d.name === body.name)) {
    throw new ProblemError('Conflict', `a device named ${body.name} already exists in product ${product.id}`);
  }
  const authInfo = body.authInfo ?? body.name;
  if (devices.some((d) => d.productId === product.id && d.authInfo === authInfo)) {
    throw new ProblemError('Conflict', `authInfo ${authInfo} is already used in product ${product.id}`);
  }
  let devId = body.devId ?? (ctx.state.counters.device ?? 10_000_000) + 1;
  while (body.devId === undefined && ctx.state.devices.has(devId)) devId++;
  if (body.devId === undefined) ctx.state.counters.device = devId;
  const record: DeviceRecord = {
    devId,
    productId: product.id,
    name: body.name,
    authInfo,
    accessKey: body.accessKey ?? newAccessKey(),
    ...(body.fVersion ? { fVersion: body.fVersion } : {}),
    ...(body.sVersion ? { sVersion: body.sVersion } : {}),
    createdAt: ctx.clock.now(),
  };
  ctx.state.devices.set(devId, record);
  return reply(201, toDevice(ctx, record, true), `/api/v1/products/${product.id}/devices/${devId}`);
}

export function listDevices(call: Call, ctx: Context): Response {
  const p = params(call, 'listDevices');
  const product = find.product(ctx, p.productId);
  const members = p.groupId === undefined ? undefined : find.group(ctx, product.id, p.groupId).devIds;
  const q = typeof p.q === 'string' ? p.q.toLowerCase() : undefined;
  const devices = [...ctx.state.devices.values()]
    .filter((d) => d.productId === product.id)
    .filter((d) => members === undefined || members.includes(d.devId))
    .filter((d) => p.fVersion === undefined || d.fVersion === p.fVersion)
    .filter((d) => p.sVersion === undefined || d.sVersion === p.sVersion)
    .filter((d) => q === undefined || d.name.toLowerCase().includes(q))
    .sort((a, b) => a.devId - b.devId);
  return reply(
    200,
    page(
      devices.map((d) => toDevice(ctx, d, p.include === 'keys')),
      p,
    ),
  );
}

export function getDevice(call: Call, ctx: Context): Response {
  const p = params(call, 'getDevice');
  return reply(200, toDevice(ctx, find.device(ctx, p.productId, p.devId), p.include === 'keys'));
}

export function updateDevice(call: Call, ctx: Context): Response {
  const p = params(call, 'updateDevice');
  const device = find.device(ctx, p.productId, p.devId);
  const body = jsonBody<Schemas['DeviceUpdate']>(call, 'updateDevice');
  if (
    body.name &&
    [...ctx.state.devices.values()].some(
      (d) => d !== device && d.productId === device.productId && d.name === body.name,
    )
  ) {
    throw new ProblemError('Conflict', `a device named ${body.name} already exists in product ${device.productId}`);
  }
  Object.assign(device, body);
  return reply(200, toDevice(ctx, device));
}

export function deleteDevice(call: Call, ctx: Context): Response {
  const p = params(call, 'deleteDevice');
  const device = find.device(ctx, p.productId, p.devId);
  for (const module of ['fota', 'sota'] as const) {
    const active = activeDeviceTask(ctx, device.devId, module);
    if (active)
      throw new ProblemError('InvalidState', `device is ${active.deviceTask.state} in task ${active.task.id}`, {
        state: active.task.state,
      });
  }
  for (const group of ctx.state.groups.values()) group.devIds = group.devIds.filter((id) => id !== device.devId);
  ctx.state.devices.delete(device.devId);
  return noContent();
}
