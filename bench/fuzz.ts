// Bench: spec-driven fuzzing of every operation at a larger count than `pnpm test` runs (40 per operation).
// Prints, per operation, the requests sent and the statuses answered (so one sees the fuzz got past validation),
// then every failure: a dropped connection, a hang, an undocumented status, an answer that breaks the spec, a 500,
// or a handler that threw. Exits 1 if there was one.
//
//   pnpm run bench:fuzz [--runs 1000] [--seed 1]
import { parseArgs } from 'node:util';
import { fuzzOperation } from '../packages/mock-server/test/fuzz/fuzz-operation.ts';
import { operationsOfSpec } from '../packages/mock-server/test/fuzz/request-arbitrary.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '1000' }, seed: { type: 'string', default: String(Date.now() % 1e9) } },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const say = (line: string) => process.stdout.write(`${line}\n`);

const started = performance.now();
let requests = 0;
const failures: string[] = [];
for (const op of operationsOfSpec) {
  const outcome = await fuzzOperation(op, runs, seed);
  requests += outcome.requests;
  const statuses = Object.entries(outcome.statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  say(`${op.operationId.padEnd(22)} ${String(outcome.requests).padStart(6)}  ${statuses}`);
  if (outcome.failure) failures.push(`${op.operationId}: ${outcome.failure}`);
  for (const exception of outcome.exceptions) failures.push(`${op.operationId} threw: ${exception}`);
}
const seconds = (performance.now() - started) / 1000;
say(`\n${requests} requests over ${operationsOfSpec.length} operations in ${seconds.toFixed(1)} s (seed ${seed})`);
say(failures.length === 0 ? 'no failures' : `${failures.length} failures:\n${failures.join('\n\n')}`);
process.exitCode = failures.length === 0 ? 0 : 1;
