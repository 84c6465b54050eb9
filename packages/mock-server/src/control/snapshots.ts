import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { ProblemError } from '../core/http/responses.ts';
import { noContent, params, reply } from '../management/input.ts';

/** Captures state, faults and the clock (not the journal). Package bytes are shared, being immutable. */
export function createSnapshot(_call: Call, ctx: Context): Response {
  const id = `snp_${ctx.snapshots.size + 1}`;
  const createdAt = ctx.clock.now();
  ctx.snapshots.set(id, {
    id,
    createdAt,
    state: cloneState(ctx.state),
    faults: ctx.faults.snapshot(),
    clock: createdAt,
  });
  return reply(201, { id, createdAt: new Date(createdAt).toISOString() });
}

export function restoreSnapshot(call: Call, ctx: Context): Response {
  const { snapshotId } = params(call, 'restoreSnapshot');
  const saved = ctx.snapshots.get(String(snapshotId));
  if (!saved) throw new ProblemError('NotFound', `snapshot ${String(snapshotId)} does not exist`);
  Object.assign(ctx.state, cloneState(saved.state));
  ctx.faults.restore(saved.faults);
  if (ctx.clock.mode === 'virtual') ctx.clock.set(saved.clock);
  return noContent();
}

// A deep copy, except the bytes of packages and diffs: never mutated, so copies share them.
function cloneState(state: Context['state']): Context['state'] {
  const { packages, diffs, ...rest } = state;
  return {
    ...structuredClone(rest),
    packages: new Map([...packages].map(([id, record]) => [id, { ...record }])),
    diffs: new Map([...diffs].map(([id, record]) => [id, { ...record }])),
  };
}
