import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { builtinFormats, type JournalEntry, requestLine } from '@onenet-ota/mock-server';
import { DiffFormat, type Generation, Generation as Generations, type ModuleType } from '@onenet-ota/openapi/protocol';
import { CaptureError } from './capture/capture-error.ts';
import { runDrift } from './capture/drift-command.ts';
import { runJudge } from './capture/judge-command.ts';
import { reportDirProblem, tcpPortProblem, udpPortProblem } from './cli-checks.ts';
import { agentDevice } from './drivers/agent.ts';
import { commandDevice } from './drivers/command.ts';
import { type Quirk, quirks } from './drivers/quirks.ts';
import { waitDevice } from './drivers/wait.ts';
import { deviceProfile, ProfileError } from './profile.ts';
import { consoleLine, consoleSummary } from './report/console.ts';
import { rules } from './rules/index.ts';
import { type RunOptions, runConformance } from './run.ts';
import { ConformanceConfigError, checkSelection, commaList } from './select.ts';
import { type Capability, capabilities, type Rule, type RunResult } from './types.ts';
import { writeReports } from './write-reports.ts';

/** The `--help` text of `ota-conformance`. */
export const usage = `Usage: ota-conformance [options]
       ota-conformance judge <capture>   judge a recorded session (ota-mock --upstream, a HAR file)
       ota-conformance drift <capture>   list where its answers differ from the mock's

Judges a device's OneNET OTA implementation against the mock platform, one case per rule, and writes
report.json, junit.xml and report.html. Exit status 0 when nothing failed, timed out or errored; 2 for a bad
command line.

The device under test (default: the SDK's reference ota-device):
  --device-cmd '<command>'   start this per case, in a process group of its own (a power cut kills the group);
                             placeholders {baseUrl} {productId} {accessKey} {devId} {deviceName} {deviceKey}
                             {version} {manuf} {model} {type} {fragmentSize} {stateDir} {power} {signal} {mqttUrl}
                             {firmware} (the image it runs now) {output} (where it writes the image it installs),
                             and the same values in OTA_* variables (those ota-device reads)
  --device-clock <c>         platform (default): run the --device-cmd process on the platform's clock through
                             libfaketime (Debian's faketime) when installed, so time jumps of token expiry and
                             deadlines reach it; own: its own clock. Either way it gets {platformTime} and
                             OTA_PLATFORM_TIME (Unix seconds as it starts)
  --wait                     the device polls by itself (real hardware): print what to configure, then wait
  --quirk <name>             run the reference agent, in this process, with one deliberate mistake (repeatable),
                             to see the suite catch it: ${quirks.join(', ')}
  --without <caps>           what the device cannot do, comma-separated: restart (no power cuts), diff (no
                             differential packages), image (does not write what it installs to {output}),
                             mqtt (no MQTT inform; the new platform's rule MQTT-001 is then skipped)

Who the device is (every case creates its product, package and task to match):
  --generation <g>           the OneNET OTA API it speaks: legacy (/ota/south, default), studio (/ota/{pid}/{name})
                             or fuse (the new platform, /fuse-ota); rules that do not apply are skipped with why
  --type <fota|sota>         the module it upgrades: fota (1, module firmware) or sota (2, MCU application; default)
  --manuf <code>             three-digit manufacturer code (default 100, "other")
  --model <code>             five-digit model code (default 10001)
  --version <v>              the version it runs when a case starts (default V1.0)
  --fragment-size <bytes>    its fragment size, a hint for package sizes and fault positions (default 4096)

Selection and judgement:
  --cases <globs>            rule ids to run, comma-separated globs with * ? [..] (default *): ${rules.map((r) => r.id).join(' ')}
  --exclude <globs>          rule ids to leave out
  --expected-failures <file> JSON {"RULE-ID": "reason"}: known gaps, reported but not failing the run
  --list                     print the rules and exit

Platform and run:
  --host <addr>              where the platform listens (default 127.0.0.1; 0.0.0.0 for a device on the LAN)
  --port <n>                 its port (default 0: a free port per case; a fixed port runs one case at a time)
  --mqtt-port <n>            with --generation fuse and --wait or --port: the MQTT door's port for the whole run,
                             so a board is configured once (default: a free one, printed)
  --ntp-port <n>             with --wait or --port: also answer SNTP with platform time on this UDP port, so a
                             board's NTP client follows the clock jumps (123 is NTP's own)
  --jobs <n>                 cases run side by side (default: twice the cores, at most 8)
  --diff-cmd '<cmd>'         make the differential packages of DIFF-* with your tool, {old} {new} {out}
                             (e.g. 'bsdiff {old} {new} {out}'), so the device is judged on the format it restores
  --diff-format <f>          what --diff-cmd writes: vcdiff, vcdiff-lzma, bsdiff40 or unknown (default
                             unknown); without --diff-cmd, the built-in encoder's: vcdiff (default) or vcdiff-lzma
                             (xdelta3's LZMA secondary compression, as xdelta3 -e writes by default)
  --token-rules <r>          the new platform's tokens: strict (default) refuses what the field is known to refuse
                             (product-level, et over 10 years ahead); lenient takes them and AUTH-003 warns
  --case-timeout <s>         give up on a case after this long (default 60)
  --idle <s>                 with --wait, a case ends after the device was quiet this long (default 10)
  --report-dir <dir>         where the reports go (default reports/conformance)
  --verbose                  print every request the device makes as it is answered, with its case
  -h, --help                 this text
`;

/** A bad command line; the bin prints it on one line and exits 2. */
export class ConformanceUsageError extends Error {
  override name = 'ConformanceUsageError';
}

/** Whether an error is the user's (a bad command line, file or selection): one line and exit 2, no stack. */
export function isUsageError(error: unknown): error is Error {
  return (
    error instanceof ConformanceUsageError ||
    error instanceof CaptureError ||
    error instanceof ConformanceConfigError ||
    error instanceof ProfileError ||
    ((error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') ?? false)
  );
}

/** Runs `ota-conformance`; returns the exit status. */
export async function runCli(argv: string[], out: (text: string) => void): Promise<number> {
  // Subcommands on a recorded session: judge it, or compare its answers with the mock's.
  if (argv[0] === 'judge') return runJudge(argv.slice(1), out);
  if (argv[0] === 'drift') return runDrift(argv.slice(1), out);
  const { values } = parseArgs({
    args: argv,
    options: {
      'device-cmd': { type: 'string' },
      'device-clock': { type: 'string', default: 'platform' },
      wait: { type: 'boolean', default: false },
      quirk: { type: 'string', multiple: true },
      without: { type: 'string', default: '' },
      generation: { type: 'string', default: 'legacy' },
      type: { type: 'string', default: 'sota' },
      manuf: { type: 'string' },
      model: { type: 'string' },
      version: { type: 'string' },
      'fragment-size': { type: 'string', default: '4096' },
      cases: { type: 'string', default: '*' },
      exclude: { type: 'string', default: '' },
      'expected-failures': { type: 'string' },
      list: { type: 'boolean', default: false },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'mqtt-port': { type: 'string', default: '0' },
      'ntp-port': { type: 'string' },
      jobs: { type: 'string' },
      'token-rules': { type: 'string', default: 'strict' },
      'diff-cmd': { type: 'string' },
      'diff-format': { type: 'string' },
      'case-timeout': { type: 'string', default: '60' },
      idle: { type: 'string', default: '10' },
      'report-dir': { type: 'string', default: 'reports/conformance' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(usage);
    return 0;
  }
  if (values.list) {
    out(`${rules.map((r) => `${r.id.padEnd(10)} ${r.level.padEnd(6)} ${r.title} (protocol ${r.ref})`).join('\n')}\n`);
    return 0;
  }
  const chosenQuirks = values.quirk ?? [];
  const unknown = chosenQuirks.filter((q) => !(quirks as readonly string[]).includes(q));
  if (unknown.length > 0) throw new ConformanceUsageError(`unknown quirk ${unknown.join(', ')}`);
  if (values.wait && values['device-cmd'])
    throw new ConformanceUsageError('--wait and --device-cmd exclude each other');
  if (chosenQuirks.length > 0 && (values.wait || values['device-cmd']))
    throw new ConformanceUsageError(
      '--quirk makes a mutant of the reference agent; it excludes --device-cmd and --wait',
    );
  const without = commaList(values.without);
  const badCapability = without.filter((c) => !(capabilities as readonly string[]).includes(c));
  if (badCapability.length > 0)
    throw new ConformanceUsageError(
      `unknown capability ${badCapability.join(', ')} for --without; known: ${capabilities.join(', ')}`,
    );
  const deviceClock = values['device-clock'];
  if (deviceClock !== 'platform' && deviceClock !== 'own')
    throw new ConformanceUsageError(`--device-clock must be platform or own, got ${deviceClock}`);
  if (values['device-cmd'] !== undefined) await checkDeviceCommand(values['device-cmd']);
  const types: Record<string, ModuleType> = { fota: 1, sota: 2, '1': 1, '2': 2 };
  const type = types[values.type.toLowerCase()];
  if (type === undefined) throw new ConformanceUsageError(`--type must be fota or sota, got ${values.type}`);
  const generation = values.generation as Generation;
  if (!(Object.values(Generations) as string[]).includes(generation))
    throw new ConformanceUsageError(`--generation must be legacy, studio or fuse, got ${values.generation}`);
  const expectedFailures = values['expected-failures'] ? await readExpected(values['expected-failures']) : {};
  const jobs = values.jobs === undefined ? undefined : count('--jobs', values.jobs, 1);
  const diff = diffOption(values['diff-cmd'], values['diff-format']);
  const tokenRules = values['token-rules'] as 'strict' | 'lenient';
  if (tokenRules !== 'strict' && tokenRules !== 'lenient')
    throw new ConformanceUsageError(`--token-rules must be strict or lenient, got ${values['token-rules']}`);
  const device = values.wait
    ? waitDevice(out)
    : chosenQuirks.length > 0
      ? agentDevice({ quirks: chosenQuirks as Quirk[] })
      : commandDevice(values['device-cmd'], { clock: deviceClock });
  const options = {
    device,
    profile: {
      generation,
      type,
      fragmentSize: count('--fragment-size', values['fragment-size'], 2),
      ...(values.manuf === undefined ? {} : { manuf: values.manuf }),
      ...(values.model === undefined ? {} : { model: values.model }),
      ...(values.version === undefined ? {} : { version: values.version }),
    },
    cases: commaList(values.cases),
    exclude: commaList(values.exclude),
    expectedFailures,
    without: without as Capability[],
    host: values.host,
    port: count('--port', values.port, 0),
    mqttPort: count('--mqtt-port', values['mqtt-port'], 0),
    ...(values['ntp-port'] === undefined ? {} : { ntpPort: count('--ntp-port', values['ntp-port'], 0) }),
    ...(jobs === undefined ? {} : { jobs }),
    tokenRules,
    ...(diff ? { diff } : {}),
    caseTimeoutMs: count('--case-timeout', values['case-timeout'], 1) * 1000,
    idleMs: count('--idle', values.idle, 1) * 1000,
    onCase: (c: RunResult['cases'][number]) => c.verdict !== 'disabled' && out(`${consoleLine(c)}\n`),
    ...(values.verbose
      ? {
          onRequest: (rule: Rule, entry: JournalEntry) =>
            out(
              `${rule.id.padEnd(9)} ${requestLine(entry, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })}\n`,
            ),
        }
      : {}),
  };

  // What runConformance would refuse, refused before anything is printed or started.
  checkSelection(options.cases, rules, '--cases');
  checkSelection(options.exclude, rules, '--exclude');
  deviceProfile(options.profile);
  const dir = resolve(values['report-dir']);
  const problem =
    (await reportDirProblem(dir)) ??
    (await tcpPortProblem('--port', options.host, options.port)) ??
    (await tcpPortProblem('--mqtt-port', options.host, options.mqttPort)) ??
    (options.ntpPort === undefined ? undefined : await udpPortProblem('--ntp-port', options.host, options.ntpPort));
  if (problem) throw new ConformanceUsageError(problem);
  out(`OneNET OTA conformance: ${device.describe}\nDevice clock: ${device.clock.how}\n`);
  const result = await runConformance(options);
  await writeReports(result, dir);
  out(`${consoleSummary(result)}\nReports: ${join(dir, 'report.html')} (and report.json, junit.xml)\n`);
  const otherApi = result.cases.find((c) => c.cause === 'device' && c.findings[0]?.startsWith('the device speaks'));
  const unstarted = result.cases.filter((c) => c.cause === 'device' && c !== otherApi);
  if (otherApi) out(`hint: ${otherApi.findings[0]}\n`);
  else if (unstarted.length > 0)
    out(
      `hint: the device command never made a request in ${unstarted.length} case(s): ${unstarted[0]?.findings.slice(0, 2).join('; ')}. Check --device-cmd.\n`,
    );
  return result.ok ? 0 : 1;
}

function count(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min)
    throw new ConformanceUsageError(`${flag} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  return value;
}

/** The expected-failures file: a JSON object from rule ids to reasons, naming only rules that exist. */
async function readExpected(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConformanceUsageError(`cannot read --expected-failures ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConformanceUsageError(`--expected-failures ${file} is not JSON: ${(error as Error).message}`);
  }
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  )
    throw new ConformanceUsageError(`--expected-failures ${file} must be an object of "RULE-ID": "reason"`);
  const unknownIds = Object.keys(value).filter((id) => !rules.some((r) => r.id === id));
  if (unknownIds.length > 0)
    throw new ConformanceUsageError(`--expected-failures ${file} names no rule: ${unknownIds.join(', ')}`);
  return value as Record<string, string>;
}

/**
 * Refuses a device command whose program the shell cannot find, before any case runs: otherwise every case would
 * end in the same "could not be started" error. The first word that is not a `NAME=value` assignment is looked up
 * as the shell looks it up (`command -v`: a path, a builtin or a program on PATH); a word with a placeholder is
 * left to the run.
 */
async function checkDeviceCommand(command: string): Promise<void> {
  const program = command
    .trim()
    .split(/\s+/)
    .find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  if (program === undefined) throw new ConformanceUsageError('--device-cmd is empty');
  if (/[{}'"$`\\]/.test(program)) return;
  if (program.includes('/')) {
    const problem = await access(program, constants.X_OK).then(
      () => undefined,
      (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 'there is no such file' : 'it is not executable'),
    );
    if (problem) throw new ConformanceUsageError(`--device-cmd: ${program}: ${problem}`);
    return;
  }
  const found = await new Promise<boolean>((resolve) =>
    execFile('/bin/sh', ['-c', 'command -v -- "$1" >/dev/null', 'sh', program], (error) => resolve(!error)),
  );
  if (!found)
    throw new ConformanceUsageError(
      `--device-cmd: ${program} is not a program the shell can find (not a file, a builtin or on PATH)`,
    );
}

/**
 * `--diff-cmd` and `--diff-format`, checked: the command names its three files, the format is the spec's; without
 * a command the format is one the built-in generator writes (vcdiff, vcdiff-lzma).
 */
function diffOption(command: string | undefined, format: string | undefined): RunOptions['diff'] {
  if (command !== undefined && !['{old}', '{new}', '{out}'].every((p) => command.includes(p)))
    throw new ConformanceUsageError(`--diff-cmd needs {old}, {new} and {out}, got ${command}`);
  if (command === undefined && format === undefined) return undefined;
  const formats: readonly DiffFormat[] = command === undefined ? builtinFormats : Object.values(DiffFormat);
  const chosen = formats.find((f) => f === (format ?? 'unknown'));
  if (!chosen)
    throw new ConformanceUsageError(
      `--diff-format${command === undefined ? ' (without --diff-cmd)' : ''} must be ${formats.join(' or ')}, got ${format}`,
    );
  return command === undefined ? { format: chosen } : { command, format: chosen };
}
