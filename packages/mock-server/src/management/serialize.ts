import { Generation } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import type { Context } from '../core/context.ts';
import { clockRange } from '../core/domain/clock.ts';
import type {
  DeviceRecord,
  DeviceTaskRecord,
  DiffRecord,
  GroupRecord,
  JobRecord,
  PackageRecord,
  ProductRecord,
  TaskRecord,
} from '../core/domain/records.ts';

// Records → the API shapes of the spec (RFC 3339 times, no bytes, derived fields).

type Schemas = components['schemas'];

// Every time an answer carries is RFC 3339, years 0000–9999 (DECISIONS 41). A time the platform computes past the
// clock's end (a token issued at 9999-12-31 lives 48 h more) is written as that end: the clock never gets further.
const iso = (ms: number) => new Date(Math.min(Math.max(ms, clockRange.earliest), clockRange.latest)).toISOString();

/** A product as answered; its access key only when `keys` (creation, reset credentials, `?include=keys`). */
export function toProduct(p: ProductRecord, keys = false): Schemas['Product'] {
  return {
    id: p.id,
    name: p.name,
    manuf: p.manuf,
    model: p.model,
    description: p.description,
    generations: p.generations ?? Object.values(Generation),
    ...(keys ? { accessKey: p.accessKey } : {}),
    ...(p.push ? { push: { url: p.push.url, uid: p.push.uid } } : {}),
    ...(p.diffs ? { diffs: p.diffs } : {}),
    createdAt: iso(p.createdAt),
  };
}

/** A device as answered; its access key only when `keys`. */
export function toDevice(ctx: Context, d: DeviceRecord, keys = false): Schemas['Device'] {
  const groupIds = [...ctx.state.groups.values()].filter((g) => g.devIds.includes(d.devId)).map((g) => g.id);
  return {
    devId: d.devId,
    productId: d.productId,
    name: d.name,
    authInfo: d.authInfo,
    ...(keys ? { accessKey: d.accessKey } : {}),
    ...(d.fVersion ? { fVersion: d.fVersion } : {}),
    ...(d.sVersion ? { sVersion: d.sVersion } : {}),
    groupIds,
    createdAt: iso(d.createdAt),
  };
}

export function toGroup(g: GroupRecord): Schemas['Group'] {
  return {
    id: g.id,
    productId: g.productId,
    name: g.name,
    description: g.description,
    devIds: [...g.devIds],
    createdAt: iso(g.createdAt),
  };
}

export function toPackage(p: PackageRecord): Schemas['Package'] {
  const { bytes: _bytes, createdAt, ...rest } = p;
  return { ...rest, createdAt: iso(createdAt) };
}

export function toDiff(d: DiffRecord): Schemas['DiffPackage'] {
  const { bytes: _bytes, createdAt, ...rest } = d;
  return { ...rest, createdAt: iso(createdAt) };
}

export function toTask(t: TaskRecord): Schemas['Task'] {
  return {
    id: t.id,
    tid: t.tid,
    productId: t.productId,
    name: t.name,
    packageId: t.packageId,
    ...(t.diffId ? { diffId: t.diffId } : {}),
    ...(t.initialVersion ? { initialVersion: t.initialVersion } : {}),
    module: t.module,
    targetVersion: t.targetVersion,
    targets: structuredClone(t.targets),
    strategy: structuredClone(t.strategy),
    state: t.state,
    deviceCount: t.devIds.length,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    ...times({ startedAt: t.startedAt, endedAt: t.endedAt }),
  };
}

export function toDeviceTaskStatus(ctx: Context, dt: DeviceTaskRecord): Schemas['DeviceTaskStatus'] {
  const token = dt.token ? ctx.state.tokens.get(dt.token) : undefined;
  return {
    devId: dt.devId,
    state: dt.state,
    ...(dt.lastCode !== undefined ? { lastCode: dt.lastCode as Schemas['ResultCode'] } : {}),
    ...(dt.lastErrno !== undefined ? { lastErrno: dt.lastErrno } : {}),
    progress: dt.progress,
    retriesUsed: dt.retriesUsed,
    ...(dt.fromVersion ? { fromVersion: dt.fromVersion } : {}),
    targetVersion: dt.targetVersion,
    ...(token ? { token: token.token, tokenExpiresAt: iso(token.issuedAt + ctx.settings.tokenLifetimeMs) } : {}),
    createdAt: iso(dt.createdAt),
    updatedAt: iso(dt.updatedAt),
    ...times({ startedAt: dt.startedAt, downloadedAt: dt.downloadedAt, finishedAt: dt.finishedAt }),
  };
}

export function toJob(j: JobRecord): Schemas['Job'] {
  const { createdAt, updatedAt, ...rest } = j;
  return { ...structuredClone(rest), createdAt: iso(createdAt), updatedAt: iso(updatedAt) };
}

/** A page of a list, as `{items, total, limit, offset}`. */
export function page<T>(
  items: T[],
  params: Record<string, unknown>,
): { items: T[]; total: number; limit: number; offset: number } {
  const limit = typeof params.limit === 'number' ? params.limit : 50;
  const offset = typeof params.offset === 'number' ? params.offset : 0;
  return { items: items.slice(offset, offset + limit), total: items.length, limit, offset };
}

function times(values: Record<string, number | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).flatMap(([k, v]) => (v === undefined ? [] : [[k, iso(v)]])));
}
