import type { components } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { newAccessKey } from '../core/domain/ids.ts';
import { type PushReceiver, verifyReceiver } from '../core/domain/push.ts';
import { ProblemError } from '../core/http/responses.ts';
import { assertGenerates } from './diff-choice.ts';
import { jsonBody, noContent, params, reply } from './input.ts';
import * as find from './lookup.ts';
import { page, toProduct } from './serialize.ts';

type Schemas = components['schemas'];

/** Product ids are digits, as on the general OTA platform (`res=products/123123`). */
function nextProductId(ctx: Context): string {
  const n = (ctx.state.counters.product ?? 100000) + 1;
  ctx.state.counters.product = n;
  return String(n);
}

export async function createProduct(call: Call, ctx: Context): Promise<Response> {
  const body = jsonBody<Schemas['ProductCreate']>(call, 'createProduct');
  if (body.diffs) assertGenerates(ctx, body.diffs, '#/body/diffs');
  const push = body.push ? await verified(ctx, body.push) : undefined;
  let id = nextProductId(ctx);
  while (ctx.state.products.has(id)) id = nextProductId(ctx);
  const record = {
    id,
    name: body.name,
    manuf: body.manuf,
    model: body.model,
    description: body.description ?? '',
    accessKey: body.accessKey ?? newAccessKey(),
    ...(body.generations ? { generations: body.generations } : {}),
    ...(push ? { push } : {}),
    ...(body.diffs ? { diffs: body.diffs } : {}),
    createdAt: ctx.clock.now(),
  };
  ctx.state.products.set(id, record);
  return reply(201, toProduct(record, true), `/api/v1/products/${id}`);
}

export function listProducts(call: Call, ctx: Context): Response {
  const p = params(call, 'listProducts');
  const keys = p.include === 'keys';
  return reply(
    200,
    page(
      [...ctx.state.products.values()].map((product) => toProduct(product, keys)),
      p,
    ),
  );
}

export function getProduct(call: Call, ctx: Context): Response {
  const p = params(call, 'getProduct');
  return reply(200, toProduct(find.product(ctx, p.productId), p.include === 'keys'));
}

export async function updateProduct(call: Call, ctx: Context): Promise<Response> {
  const product = find.product(ctx, params(call, 'updateProduct').productId);
  const { push, ...rest } = jsonBody<Schemas['ProductUpdate']>(call, 'updateProduct');
  if (rest.diffs) assertGenerates(ctx, rest.diffs, '#/body/diffs');
  // Verified before anything changes: a refused receiver leaves the product as it was.
  const receiver = push ? await verified(ctx, push) : push;
  Object.assign(product, rest);
  if (receiver) product.push = receiver;
  else if (receiver === null) delete product.push;
  return reply(200, toProduct(product));
}

/** A receiver the platform checked as the console does (protocol §2.13); refused with 422 when it did not pass. */
async function verified(ctx: Context, push: Schemas['PushReceiver']): Promise<PushReceiver> {
  const receiver = { ...push, uid: push.uid ?? ctx.settings.account.uid };
  const failure = await verifyReceiver(ctx, ctx.pushFetch, receiver);
  if (failure) throw new ProblemError('InvalidRequest', `the push receiver ${push.url} did not verify: ${failure}`);
  return receiver;
}

export function deleteProduct(call: Call, ctx: Context): Response {
  const product = find.product(ctx, params(call, 'deleteProduct').productId);
  const busy = find.liveTasksUsing(ctx, (t) => t.productId === product.id && t.state !== 'not_started');
  if (busy.length > 0)
    throw new ProblemError('InvalidState', `task ${busy[0]?.id} of the product is ${busy[0]?.state}`, {
      state: busy[0]?.state,
    });
  const { state } = ctx;
  for (const [key, map] of [
    ['productId', state.devices],
    ['productId', state.groups],
    ['productId', state.packages],
    ['productId', state.diffs],
    ['productId', state.tasks],
  ] as const) {
    for (const [id, record] of map as Map<unknown, { productId: string }>)
      if (record[key] === product.id) map.delete(id as never);
  }
  state.products.delete(product.id);
  return noContent();
}
