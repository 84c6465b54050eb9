import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { quirks } from '@onenet-ota/sdk';
import { commandDevice } from './drivers/command.ts';
import { waitDevice } from './drivers/wait.ts';
import { consoleLine, consoleSummary } from './report/console.ts';
import { htmlReport } from './report/html.ts';
import { junitReport } from './report/junit.ts';
import { rules } from './rules/index.ts';
import { runConformance } from './run.ts';
import type { Capability, RunResult } from './types.ts';

/** The `--help` text of `ota-conformance`. */
export const usage = `Usage: ota-conformance [options]

Judges a device's OneNET OTA implementation against the mock platform, one case per rule, and writes
report.json, junit.xml and report.html. Exit status 0 when nothing failed, timed out or errored.

The device under test (default: the SDK's reference ota-device):
  --device-cmd '<command>'   start this per case; placeholders {baseUrl} {productId} {accessKey} {devId}
                             {deviceName} {deviceKey} {version} {manuf} {model} {type} {stateDir} {power}
                             {signal}, and the same values in OTA_* variables (those ota-device reads)
  --wait                     the device polls by itself (real hardware): print what to configure, then wait
  --quirk <name>             run the reference device with one deliberate mistake (repeatable): ${quirks.join(', ')}
  --without <caps>           capabilities the device lacks, comma-separated (restart, sota, fota, diff)

Selection and judgement:
  --cases <globs>            rule ids to run, comma-separated globs (default *): ${rules.map((r) => r.id).join(' ')}
  --exclude <globs>          rule ids to leave out
  --expected-failures <file> JSON {"RULE-ID": "reason"}: known gaps, reported but not failing the run
  --list                     print the rules and exit

Platform and run:
  --host <addr>              where the platform listens (default 127.0.0.1; 0.0.0.0 for a device on the LAN)
  --port <n>                 its port (default 0: any free port; give one for --wait)
  --case-timeout <s>         give up on a case after this long (default 60)
  --idle <s>                 with --wait, a case ends after the device was quiet this long (default 10)
  --report-dir <dir>         where the reports go (default reports/conformance)
  -h, --help                 this text
`;

/** A bad command line; the bin prints it and exits 2. */
export class ConformanceUsageError extends Error {
  override name = 'ConformanceUsageError';
}

/** Runs `ota-conformance`; returns the exit status. */
export async function runCli(argv: string[], out: (text: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'device-cmd': { type: 'string' },
      wait: { type: 'boolean', default: false },
      quirk: { type: 'string', multiple: true },
      without: { type: 'string', default: '' },
      cases: { type: 'string', default: '*' },
      exclude: { type: 'string', default: '' },
      'expected-failures': { type: 'string' },
      list: { type: 'boolean', default: false },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'case-timeout': { type: 'string', default: '60' },
      idle: { type: 'string', default: '10' },
      'report-dir': { type: 'string', default: 'reports/conformance' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(usage);
    return 0;
  }
  if (values.list) {
    out(`${rules.map((r) => `${r.id.padEnd(10)} ${r.level.padEnd(6)} ${r.title} (notes ${r.ref})`).join('\n')}\n`);
    return 0;
  }
  const list = (text: string) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const chosenQuirks = values.quirk ?? [];
  const unknown = chosenQuirks.filter((q) => !(quirks as readonly string[]).includes(q));
  if (unknown.length > 0) throw new ConformanceUsageError(`unknown quirk ${unknown.join(', ')}`);
  if (values.wait && values['device-cmd'])
    throw new ConformanceUsageError('--wait and --device-cmd exclude each other');
  const without = list(values.without);
  const badCapability = without.filter((c) => !['restart', 'sota', 'fota'].includes(c));
  if (badCapability.length > 0) throw new ConformanceUsageError(`unknown capability ${badCapability.join(', ')}`);
  const expectedFailures = values['expected-failures']
    ? (JSON.parse(await readFile(values['expected-failures'], 'utf8')) as Record<string, string>)
    : {};
  const device = values.wait
    ? waitDevice(out)
    : commandDevice(values['device-cmd'], chosenQuirks.length ? { OTA_QUIRKS: chosenQuirks.join(',') } : {});

  out(`OneNET OTA conformance: ${device.describe}\n`);
  const result = await runConformance({
    device,
    cases: list(values.cases),
    exclude: list(values.exclude),
    expectedFailures,
    without: without as Capability[],
    host: values.host,
    port: Number(values.port),
    caseTimeoutMs: Number(values['case-timeout']) * 1000,
    idleMs: Number(values.idle) * 1000,
    onCase: (c) => c.verdict !== 'disabled' && out(`${consoleLine(c)}\n`),
  });
  const dir = resolve(values['report-dir']);
  await writeReports(result, dir);
  out(`${consoleSummary(result)}\nReports: ${join(dir, 'report.html')} (and report.json, junit.xml)\n`);
  return result.ok ? 0 : 1;
}

/** Writes report.json, junit.xml and report.html of a run into `dir`. */
export async function writeReports(result: RunResult, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(dir, 'junit.xml'), junitReport(result));
  await writeFile(join(dir, 'report.html'), htmlReport(result));
}
