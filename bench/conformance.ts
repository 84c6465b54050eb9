// Bench: the whole conformance suite against the SDK's reference ota-device (a process per case), one case at a
// time (the baseline, as the suite ran before cases ran side by side) and with its default parallelism, in this
// run; then the same against the C reference device when gcc is there. Prints wall time, CPU time and the ratio
// of each to the baseline. P5 asks for the whole suite against the reference agent in at most 10 s of wall time.
//
//   pnpm exec node bench/conformance.ts [--rounds 2]
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { commandDevice, type DeviceDriver, runConformance } from '@onenet-ota/conformance';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' } } });
const rounds = Number(values.rounds);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function measure(label: string, device: DeviceDriver, jobs?: number): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await runConformance({ device, ...(jobs ? { jobs } : {}) });
    const seconds = (performance.now() - started) / 1000;
    const own = process.cpuUsage(cpu);
    times.push(seconds);
    const verdicts = Object.entries(result.counts)
      .filter(([, n]) => n > 0)
      .map(([v, n]) => `${n} ${v}`)
      .join(', ');
    say(
      `${label.padEnd(44)} round ${round + 1}: ${seconds.toFixed(2)} s wall, suite process CPU ${((own.user + own.system) / 1e6).toFixed(2)} s — ${verdicts}`,
    );
  }
  return Math.min(...times);
}

const baseline = await measure('ota-device, one case at a time', commandDevice(), 1);
const parallel = await measure('ota-device, default jobs', commandDevice());
say(
  `ota-device: ${parallel.toFixed(2)} s best, ${(parallel / baseline).toFixed(2)}× the one-at-a-time baseline (P5: ≤ 10 s)`,
);

const dir = await mkdtemp(join(tmpdir(), 'bench-c-'));
try {
  const binary = join(dir, 'ota-device-c');
  const sources = new URL('../packages/conformance/devices/c/src/', import.meta.url).pathname;
  const files = (await readdir(sources)).filter((f) => f.endsWith('.c')).map((f) => join(sources, f));
  await promisify(execFile)('gcc', ['-std=c99', '-D_POSIX_C_SOURCE=200809L', '-O2', '-o', binary, ...files]);
  const c = await measure('ota-device-c, default jobs', commandDevice(binary));
  say(`ota-device-c: ${c.toFixed(2)} s best, ${(c / baseline).toFixed(2)}× the ota-device baseline`);
} catch (error) {
  say(`ota-device-c: skipped (${(error as Error).message.split('\n')[0]})`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
