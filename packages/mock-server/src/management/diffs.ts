import { type components, md5Hex } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { md5Sliced } from '../core/domain/hash.ts';
import { type DiffRecord, type JobRecord, nextId, type PackageRecord } from '../core/domain/records.ts';
import { assertRoomFor } from '../core/domain/storage.ts';
import { changed } from '../core/domain/tracked-map.ts';
import { ProblemError, problemBody } from '../core/http/responses.ts';
import { schemaDefault } from '../core/http/spec.ts';
import { assertGenerates } from './diff-choice.ts';
import { jsonBody, noContent, params, reply } from './input.ts';
import * as find from './lookup.ts';
import { requireBinary } from './packages.ts';
import { page, toDiff, toJob } from './serialize.ts';

type Schemas = components['schemas'];
type DiffFormat = Schemas['DiffFormat'];
/** The spec's default of `DiffGenerate.windowSize`. */
const defaultWindowSize = schemaDefault('DiffGenerate', 'windowSize') as number;

/**
 * `POST …/packages/{packageId}/diffs`. An uploaded patch (`application/octet-stream`) is stored as given. Online
 * generation (`application/json`) diffs the stored full package of the initial version against this one as a job
 * (202, poll `/api/v1/jobs/{id}`), writing VCDIFF that `xdelta3 -d` and the SDK's `restoreVcdiff` apply, or what the
 * platform's diff command writes (`settings.diffFormat`); a generation that fails is a failed job saying why.
 */
export function createDiff(call: Call, ctx: Context): Response {
  const p = params(call, 'createDiff');
  const product = find.product(ctx, p.productId);
  const pkg = find.packageOf(ctx, product.id, p.packageId);
  if (call.request.headers.get('content-type')?.startsWith('application/json')) return generate(call, ctx, pkg);
  requireBinary(call, ctx);
  const missing = ['initialVersion', 'fileName'].filter((name) => p[name] === undefined);
  if (missing.length > 0) {
    throw new ProblemError('InvalidRequest', `an uploaded patch needs ${missing.join(' and ')}`, {
      errors: missing.map((name) => ({ pointer: `#/query/${name}`, message: 'is required for an upload' })),
    });
  }
  const initialVersion = String(p.initialVersion);
  assertNoDiffFrom(ctx, pkg, initialVersion);
  assertRoomFor(ctx, call.body.length);
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
    md5: call.bodyMd5 ?? md5Hex(call.body),
    bytes: call.body,
    createdAt: ctx.clock.now(),
  };
  ctx.state.diffs.set(record.id, record);
  return reply(201, toDiff(record), `/api/v1/products/${product.id}/packages/${pkg.id}/diffs/${record.id}`);
}

function generate(call: Call, ctx: Context, pkg: PackageRecord): Response {
  const body = jsonBody<Schemas['DiffGenerate']>(call, 'createDiff');
  // The generation's own choice first, then the product's (`diffs`), then the platform's.
  const product = find.product(ctx, pkg.productId);
  const format = body.format ?? product.diffs?.format ?? ctx.settings.diffFormat;
  assertGenerates(ctx, { format, ...(body.windowSize === undefined ? {} : { windowSize: body.windowSize }) }, '#/body');
  const how = { format, windowSize: body.windowSize ?? product.diffs?.windowSize ?? defaultWindowSize };
  const base = body.basePackageId
    ? find.packageOf(ctx, pkg.productId, body.basePackageId)
    : [...ctx.state.packages.values()]
        .reverse()
        .find(
          (p) => p.productId === pkg.productId && p.module === pkg.module && p.targetVersion === body.initialVersion,
        );
  if (!base)
    throw invalid(
      '#/body/initialVersion',
      `no full package of version ${body.initialVersion} to diff from; upload it first`,
    );
  assertNoDiffFrom(ctx, pkg, body.initialVersion);
  const now = ctx.clock.now();
  const job: JobRecord = {
    id: nextId(ctx.state, 'job'),
    kind: 'diff-generation',
    status: 'queued',
    progress: 0,
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.jobs.set(job.id, job);
  // Off the request: a large diff must not hold the HTTP answer (the console's "线上自动差分" is a job too). With
  // a worker-thread generator the job is seen running while requests go on being answered.
  // The job outlives this request: each change of it is reported to a durable store and written at once.
  const saved = () => {
    changed(ctx.state.jobs, job.id);
    try {
      ctx.persist?.();
    } catch {
      // The store refused the write; the change stays marked and the next request's sync retries it.
    }
  };
  const generate = async () => {
    try {
      job.status = 'running';
      job.updatedAt = ctx.clock.now();
      saved();
      const bytes = await ctx.generateDiff(base.bytes, pkg.bytes, how);
      const md5 = await md5Sliced(bytes);
      assertNoDiffFrom(ctx, pkg, body.initialVersion);
      assertRoomFor(ctx, bytes.length);
      const record: DiffRecord = {
        id: nextId(ctx.state, 'dif'),
        packageId: pkg.id,
        productId: pkg.productId,
        initialVersion: body.initialVersion,
        targetVersion: pkg.targetVersion,
        origin: 'generated',
        format,
        // The console's naming rule for generated packages (log V2.1.5).
        fileName: `otadiff&${pkg.targetVersion}&${body.initialVersion}`,
        size: bytes.length,
        md5,
        bytes,
        createdAt: ctx.clock.now(),
      };
      ctx.state.diffs.set(record.id, record);
      const location = `/api/v1/products/${pkg.productId}/packages/${pkg.id}/diffs/${record.id}`;
      Object.assign(job, { status: 'succeeded', progress: 100, result: { diffId: record.id, location } });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      Object.assign(job, {
        status: 'failed',
        error: problemBody(error instanceof ProblemError ? error.problemName : 'Internal', detail),
      });
    }
    job.updatedAt = ctx.clock.now();
    saved();
  };
  setTimeout(generate, 0);
  return reply(202, toJob(job), `/api/v1/jobs/${job.id}`);
}

function assertNoDiffFrom(ctx: Context, pkg: PackageRecord, initialVersion: string): void {
  if ([...ctx.state.diffs.values()].some((d) => d.packageId === pkg.id && d.initialVersion === initialVersion)) {
    throw new ProblemError('Conflict', `package ${pkg.id} already has a differential package from ${initialVersion}`);
  }
}

function invalid(pointer: string, message: string): ProblemError {
  return new ProblemError('InvalidRequest', message, { errors: [{ pointer, message }] });
}

export function listDiffs(call: Call, ctx: Context): Response {
  const p = params(call, 'listDiffs');
  const pkg = find.packageOf(ctx, p.productId, p.packageId);
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
  const pkg = find.packageOf(ctx, p.productId, p.packageId);
  const diff = ctx.state.diffs.get(String(p.diffId));
  if (!diff || diff.packageId !== pkg.id)
    throw new ProblemError('NotFound', `differential package ${String(p.diffId)} does not exist in package ${pkg.id}`);
  return diff;
}
