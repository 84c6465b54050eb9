import type { components } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { nextId } from '../core/domain/records.ts';
import { ProblemError } from '../core/http/responses.ts';
import { jsonBody, noContent, params, reply } from './input.ts';
import * as find from './lookup.ts';
import { page, toGroup } from './serialize.ts';

type Schemas = components['schemas'];

export function createGroup(call: Call, ctx: Context): Response {
  const product = find.product(ctx, params(call, 'createGroup').productId);
  const body = jsonBody<Schemas['GroupCreate']>(call, 'createGroup');
  assertUniqueName(ctx, product.id, body.name);
  const devIds = body.devIds ?? [];
  for (const devId of devIds) find.device(ctx, product.id, devId);
  const record = {
    id: nextId(ctx.state, 'grp'),
    productId: product.id,
    name: body.name,
    description: body.description ?? '',
    devIds,
    createdAt: ctx.clock.now(),
  };
  ctx.state.groups.set(record.id, record);
  return reply(201, toGroup(record), `/api/v1/products/${product.id}/groups/${record.id}`);
}

export function listGroups(call: Call, ctx: Context): Response {
  const p = params(call, 'listGroups');
  const product = find.product(ctx, p.productId);
  return reply(200, page([...ctx.state.groups.values()].filter((g) => g.productId === product.id).map(toGroup), p));
}

export function getGroup(call: Call, ctx: Context): Response {
  const p = params(call, 'getGroup');
  return reply(200, toGroup(find.group(ctx, p.productId, p.groupId)));
}

export function updateGroup(call: Call, ctx: Context): Response {
  const p = params(call, 'updateGroup');
  const group = find.group(ctx, p.productId, p.groupId);
  const body = jsonBody<Schemas['GroupUpdate']>(call, 'updateGroup');
  if (body.name && body.name !== group.name) assertUniqueName(ctx, group.productId, body.name);
  Object.assign(group, body);
  return reply(200, toGroup(group));
}

export function deleteGroup(call: Call, ctx: Context): Response {
  const p = params(call, 'deleteGroup');
  ctx.state.groups.delete(find.group(ctx, p.productId, p.groupId).id);
  return noContent();
}

export function addGroupMember(call: Call, ctx: Context): Response {
  const p = params(call, 'addGroupMember');
  const product = find.product(ctx, p.productId);
  const group = find.group(ctx, product.id, p.groupId);
  const device = find.device(ctx, product.id, p.devId);
  if (!group.devIds.includes(device.devId)) group.devIds.push(device.devId);
  return noContent();
}

export function removeGroupMember(call: Call, ctx: Context): Response {
  const p = params(call, 'removeGroupMember');
  const product = find.product(ctx, p.productId);
  const group = find.group(ctx, product.id, p.groupId);
  group.devIds = group.devIds.filter((id) => id !== Number(p.devId));
  return noContent();
}

function assertUniqueName(ctx: Context, productId: string, name: string): void {
  if ([...ctx.state.groups.values()].some((g) => g.productId === productId && g.name === name)) {
    throw new ProblemError('Conflict', `a group named ${name} already exists in product ${productId}`);
  }
}
