// Bench (issue 13, P3): the fleet simulator's wall time for 1 000, 5 000 and 10 000 devices of the city preset
// through a whole rollout of a 256 KiB package with the in-process platform, each size in a fresh process (so
// memory is its own), and the slope: the cost per device, which should stay flat as the fleet grows. Goal: 10 000
// devices in ≤ 60 s on 2 cores. Prints memory per simulated device (peak RSS over the idle process, divided).
//
//   pnpm run bench:fleet [--sizes 1000,5000,10000]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { sizes: { type: 'string', default: '1000,5000,10000' }, child: { type: 'string' } },
});
const say = (line: string) => process.stdout.write(`${line}\n`);

if (values.child) {
  const { runFleet } = await import('../packages/mock-server/src/node.ts');
  const idle = process.memoryUsage().rss;
  let peak = idle;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const result = await runFleet({ preset: 'city', devices: Number(values.child), seed: 'bench' });
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(
    JSON.stringify({
      devices: result.devices,
      wallMs: result.wallMs,
      succeeded: result.byState.succeeded,
      peakMiB: peak / 2 ** 20,
      perDeviceKiB: (peak - idle) / 1024 / result.devices,
    }),
  );
} else {
  const rows = values.sizes.split(',').map((size) => {
    const output = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', size], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const row = JSON.parse(output) as {
      devices: number;
      wallMs: number;
      succeeded: number;
      peakMiB: number;
      perDeviceKiB: number;
    };
    say(
      `${String(row.devices).padStart(6)} devices: ${(row.wallMs / 1000).toFixed(1).padStart(5)} s wall, ${(row.wallMs / row.devices).toFixed(2)} ms per device, ${row.succeeded} upgraded, peak RSS ${row.peakMiB.toFixed(0)} MiB, ${row.perDeviceKiB.toFixed(1)} KiB per device`,
    );
    return row;
  });
  const first = rows[0];
  const last = rows.at(-1);
  if (first && last && last !== first) {
    const slope = (last.wallMs - first.wallMs) / (last.devices - first.devices);
    say(
      `slope ${slope.toFixed(2)} ms per added device (${first.devices} → ${last.devices}); goal: 10 000 devices ≤ 60 s`,
    );
  }
}
