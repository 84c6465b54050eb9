import { type components, md5Hex } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { type DiffRecord, nextId } from '../core/records.ts';
import { ProblemError } from '../core/responses.ts';
import { noContent, params, reply } from './input.ts';
import * as find from './lookup.ts';
import { requireBinary } from './packages.ts';
import { page, toDiff } from './serialize.ts';

type DiffFormat = components['schemas']['DiffFormat'];

/**
 * `POST …/packages/{packageId}/diffs`. An uploaded patch (`application/octet-stream`) is stored as given.
 * Online generation (`application/json`) needs the patch codec, which is not in this build yet: it is refused
 * with a 400 that says so rather than pretending.
 */
export function createDiff(call: Call, ctx: Context): Response {
  const p = params(call, 'createDiff');
  const product = find.product(ctx, p.productId);
  const pkg = find.packageOf(ctx, product.id, p.packageId);
  if (call.request.headers.get('content-type')?.startsWith('application/json')) {
    throw new ProblemError(
      'InvalidRequest',
      'online diff generation is not available in this build; upload a patch as application/octet-stream',
    );
  }
  requireBinary(call, ctx);
  const missing = ['initialVersion', 'fileName'].filter((name) => p[name] === undefined);
  if (missing.length > 0) {
    throw new ProblemError('InvalidRequest', `an uploaded patch needs ${missing.join(' and ')}`, {
      errors: missing.map((name) => ({ pointer: `#/query/${name}`, message: 'is required for an upload' })),
    });
  }
  const initialVersion = String(p.initialVersion);
  if ([...ctx.state.diffs.values()].some((d) => d.packageId === pkg.id && d.initialVersion === initialVersion)) {
    throw new ProblemError('Conflict', `package ${pkg.id} already has a differential package from ${initialVersion}`);
  }
  const record: DiffRecord = {
    id: nextId(ctx.state, 'dif'),
    packageId: pkg.id,
    productId: product.id,
    initialVersion,
    targetVersion: pkg.targetVersion,
    origin: 'uploaded',
    format: (p.format as DiffFormat | undefined) ?? 'unknown',
    fileName: String(p.fileName),
    size: call.body.length,
    md5: md5Hex(call.body),
    bytes: call.body,
    createdAt: ctx.clock.now(),
  };
  ctx.state.diffs.set(record.id, record);
  return reply(201, toDiff(record), `/api/v1/products/${product.id}/packages/${pkg.id}/diffs/${record.id}`);
}

export function listDiffs(call: Call, ctx: Context): Response {
  const p = params(call, 'listDiffs');
  const pkg = find.packageOf(ctx, find.product(ctx, p.productId).id, p.packageId);
  return reply(200, page([...ctx.state.diffs.values()].filter((d) => d.packageId === pkg.id).map(toDiff), p));
}

export function getDiff(call: Call, ctx: Context): Response {
  const p = params(call, 'getDiff');
  return reply(200, toDiff(diffOf(ctx, p)));
}

export function deleteDiff(call: Call, ctx: Context): Response {
  const p = params(call, 'deleteDiff');
  const diff = diffOf(ctx, p);
  const users = find.liveTasksUsing(ctx, (t) => t.diffId === diff.id);
  if (users.length > 0)
    throw new ProblemError('InvalidState', `task ${users[0]?.id} uses it and is ${users[0]?.state}`, {
      state: users[0]?.state,
    });
  ctx.state.diffs.delete(diff.id);
  return noContent();
}

function diffOf(ctx: Context, p: Record<string, unknown>): DiffRecord {
  const pkg = find.packageOf(ctx, find.product(ctx, p.productId).id, p.packageId);
  const diff = ctx.state.diffs.get(String(p.diffId));
  if (!diff || diff.packageId !== pkg.id)
    throw new ProblemError('NotFound', `differential package ${String(p.diffId)} does not exist in package ${pkg.id}`);
  return diff;
}
