import { describe, expect, it } from 'vitest';
import { fuzzOperation } from './fuzz/fuzz-operation.ts';
import { operationsOfSpec } from './fuzz/request-arbitrary.ts';

// Spec-driven fuzzing of every operation (see fuzz/): a bounded count here, a larger one in `pnpm run bench:fuzz`.
// The seed is fixed so a failure reproduces; FUZZ_SEED and FUZZ_RUNS explore further.
const runs = Number(process.env.FUZZ_RUNS ?? 40);
const seed = Number(process.env.FUZZ_SEED ?? 20261129);

describe('spec-driven fuzzing: every answer comes, is documented, fits the spec, and is never a 500', () => {
  it.each(operationsOfSpec.map((op) => [op.operationId, op] as const))('%s', async (_id, op) => {
    const outcome = await fuzzOperation(op, runs, seed);
    expect(outcome.failure, outcome.failure).toBeUndefined();
    expect(outcome.exceptions, 'handlers that threw').toEqual([]);
    expect(outcome.requests).toBe(runs);
  });
});
