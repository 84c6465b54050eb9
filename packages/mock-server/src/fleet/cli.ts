import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { presets } from './profile.ts';
import { fleetReport, fleetSummary, humanDuration } from './report.ts';
import { type FleetOptions, runFleet } from './run-fleet.ts';

/** The `--help` text of `ota-fleet`. */
export const fleetUsage = `Usage: ota-fleet [options]

Rolls a package out to simulated devices through the management API, on the platform's virtual clock: each
device a seeded profile (fragment size, battery and signal over time, link speed and resets, reboots, polling)
running the SDK's OtaAgent. 48 hours of rollout take seconds; the same seed gives the same outcome.
Writes fleet.json (summary and timeline) and fleet.html (plots) to --report-dir.

  --preset <city|lab>        city: ${presets.city.devices} NB-IoT/Cat-1 devices (default); lab: ${presets.lab.devices} boards on a LAN
  --devices <n>              how many devices (the preset's by default)
  --seed <text>              the fleet's seed (default ota-fleet)
  --package-size <bytes>     the package (default 262144)
  --signal <n> --power <n>   the task's thresholds (default 10 and 20)
  --retry <n> --interval <s> retries and their interval (default 3 × 300 s; --retry 0 for none)
  --start-after <dur>        start the task this long after creating it (scheduled); at once by default
  --deadline-after <dur>     the task's deadline
  --pause-at <dur> --resume-at <dur> --cancel-at <dur>   tester actions during the rollout
  --hours <h>                devices stop polling after this much platform time (default 72)
  --base-url <url>           simulate against a running ota-mock --clock virtual (default: one in this process)
  --admin-token <token>      its admin token, when it listens beyond loopback
  --report-dir <dir>         where fleet.json and fleet.html go (default reports/fleet)
  --progress <dur>           how often a progress line is printed when stdout is not a terminal (default 5s);
                             on a terminal one line is kept current
  -h, --help                 this text

Durations: 90s, 30m, 2h, 1d.
`;

/** A bad command line; the bin prints it in one line and exits 2. */
export class FleetUsageError extends Error {
  override name = 'FleetUsageError';
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text);
  if (!match) throw new FleetUsageError(`${flag} must be a duration like 90s, 30m, 2h or 1d, got ${text}`);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

function whole(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new FleetUsageError(`${flag} must be an integer ≥ ${min}, got ${text}`);
  return value;
}

/**
 * Runs `ota-fleet`: parses the command line, runs the fleet with a progress line on a terminal, prints the
 * summary and writes the reports. Returns the exit status.
 */
export async function runFleetCli(argv: string[], out: (text: string) => void, tty = false): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string', default: 'city' },
      devices: { type: 'string' },
      seed: { type: 'string' },
      'package-size': { type: 'string' },
      signal: { type: 'string' },
      power: { type: 'string' },
      retry: { type: 'string' },
      interval: { type: 'string' },
      'start-after': { type: 'string' },
      'deadline-after': { type: 'string' },
      'pause-at': { type: 'string' },
      'resume-at': { type: 'string' },
      'cancel-at': { type: 'string' },
      hours: { type: 'string' },
      'base-url': { type: 'string' },
      'admin-token': { type: 'string' },
      'report-dir': { type: 'string', default: 'reports/fleet' },
      progress: { type: 'string', default: '5s' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(fleetUsage);
    return 0;
  }
  if (values.preset !== 'city' && values.preset !== 'lab')
    throw new FleetUsageError(`--preset must be city or lab, got ${values.preset}`);
  const retries = whole('--retry', values.retry, 0);
  const interval = whole('--interval', values.interval, 0);
  const hours = values.hours === undefined ? undefined : Number(values.hours);
  if (hours !== undefined && !(hours > 0))
    throw new FleetUsageError(`--hours must be a positive number, got ${values.hours}`);
  const devices = whole('--devices', values.devices, 1);
  if (devices !== undefined && devices > 100_000) throw new FleetUsageError('--devices is limited to 100000');
  const options: FleetOptions = {
    preset: values.preset,
    ...(devices === undefined ? {} : { devices }),
    ...(values.seed === undefined ? {} : { seed: values.seed }),
    ...(values['package-size'] === undefined
      ? {}
      : { packageSize: whole('--package-size', values['package-size'], 1) as number }),
    strategy: {
      ...(values.signal === undefined ? {} : { signal: whole('--signal', values.signal, 0) as number }),
      ...(values.power === undefined ? {} : { power: whole('--power', values.power, 0) as number }),
      ...(retries === 0
        ? { retry: 'none' as const }
        : retries === undefined && interval === undefined
          ? {}
          : { retry: { count: retries ?? 3, intervalSeconds: interval ?? 300 } }),
      ...(values['start-after'] === undefined
        ? {}
        : { startAfterMs: duration('--start-after', values['start-after']) as number }),
      ...(values['deadline-after'] === undefined
        ? {}
        : { deadlineAfterMs: duration('--deadline-after', values['deadline-after']) as number }),
    },
    ...(values['pause-at'] === undefined ? {} : { pauseAtMs: duration('--pause-at', values['pause-at']) as number }),
    ...(values['resume-at'] === undefined
      ? {}
      : { resumeAtMs: duration('--resume-at', values['resume-at']) as number }),
    ...(values['cancel-at'] === undefined
      ? {}
      : { cancelAtMs: duration('--cancel-at', values['cancel-at']) as number }),
    ...(hours === undefined ? {} : { durationMs: hours * 3_600_000 }),
    ...(values['base-url'] === undefined ? {} : { baseUrl: values['base-url'] }),
    ...(values['admin-token'] === undefined ? {} : { adminToken: values['admin-token'] }),
  };
  let bytes = 0;
  let last = '';
  const line = () => `${last} · ${(bytes / 2 ** 20).toFixed(0)} MiB served`;
  // On a pipe (CI, a log file) a line now and then: a 10 000-device run printed nothing for 43 s.
  const every = duration('--progress', values.progress) as number;
  if (every <= 0)
    throw new FleetUsageError(`--progress must be a duration like 90s, 30m, 2h or 1d, got ${values.progress}`);
  const progress = tty
    ? setInterval(() => out(`\r${line()}\x1b[K`), 250)
    : setInterval(() => last && out(`${line()}\n`), every);
  const result = await runFleet({
    ...options,
    onSample: (sample) => {
      const counts = Object.entries(sample.byState)
        .filter(([, n]) => n > 0)
        .map(([state, n]) => `${state} ${n}`)
        .join(' ');
      last = `platform +${humanDuration(sample.atMs)} · ${counts}`;
    },
    onBytes: (total) => {
      bytes = total;
    },
  }).finally(() => {
    clearInterval(progress);
    if (tty) out('\r\x1b[K');
  });
  const dir = resolve(values['report-dir']);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'fleet.json'), `${JSON.stringify(result, null, 1)}\n`);
  await writeFile(join(dir, 'fleet.html'), fleetReport(result));
  out(`${fleetSummary(result)}\nreports: ${join(dir, 'fleet.html')}, fleet.json\n`);
  return 0;
}
