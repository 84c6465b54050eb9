import { availableParallelism } from 'node:os';
import { createPlatform, type JournalEntry, type PlatformOptions } from '@onenet-ota/mock-server';
import {
  commandDiffs,
  type RunningServer,
  startMqttBroker,
  startServer,
  startSntpServer,
  workerDiffs,
} from '@onenet-ota/mock-server/node';
import type { DiffFormat } from '@onenet-ota/openapi/protocol';
import { type CaseContext, caseHeader, runCase } from './case.ts';
import { commandDevice } from './drivers/command.ts';
import type { DeviceDriver } from './drivers/device.ts';
import { observe } from './observe.ts';
import { type DeviceProfile, deviceProfile } from './profile.ts';
import { rules as allRules } from './rules/index.ts';
import { ConformanceConfigError, checkSelection, selected } from './select.ts';
import type { Capability, CaseResult, Evidence, Rule, RunResult, Verdict } from './types.ts';
import { verdicts } from './types.ts';

/** Options of {@link runConformance}; everything has a default. */
export interface RunOptions {
  /** The device under test; the SDK's `ota-device` by default. */
  device?: DeviceDriver;
  /** Who the device is: module type, manuf/model codes, current version, fragment size. */
  profile?: Partial<Omit<DeviceProfile, 'target'>>;
  /** Rule-id globs to run (`['*']`) and to leave out (`[]`); a glob that matches no rule is an error. */
  cases?: readonly string[];
  exclude?: readonly string[];
  /** Known gaps: rule id → reason. Their failures are reported but do not fail the run. */
  expectedFailures?: Readonly<Record<string, string>>;
  /** Capabilities the device does not have; rules needing them are skipped. */
  without?: readonly Capability[];
  /** Where the platform listens for devices that use HTTP (`127.0.0.1:0`; `0.0.0.0` for the LAN). */
  host?: string;
  port?: number;
  /**
   * On the new platform (`generation: 'fuse'`) with one platform for the run (a device on the bench), its MQTT
   * door listens here for the whole run, so the board is configured once; a free port when 0 (the default).
   * Otherwise each case that needs MQTT gets a broker of its own.
   */
  mqttPort?: number;
  /**
   * With one platform for the run (a device on the bench), answer SNTP with platform time on this UDP port, so the
   * board's NTP client follows the clock jumps the cases make; none by default.
   */
  ntpPort?: number;
  /**
   * Cases run side by side, each on a platform and port of its own: twice the cores, at most 8, by default. A
   * device that polls by itself (`--wait`) or a fixed `port` means one platform for the run, so one case at a time.
   */
  jobs?: number;
  /**
   * Which tokens the new platform's cases take: `strict` (default) refuses what the field is known to refuse,
   * `lenient` takes it and AUTH-003 warns (`PlatformOptions.tokenRules`).
   */
  tokenRules?: 'strict' | 'lenient';
  /**
   * How the cases' platforms make differential packages: the firmware team's own command and the format it writes
   * (`--diff-cmd`, `--diff-format`), so DIFF-* judge the device on the format it really restores; without a
   * command, the built-in encoder's format (`vcdiff`, the default, or `vcdiff-lzma`).
   */
  diff?: { command?: string; format: DiffFormat };
  /** A case that has not finished after this long (wall time) times out: 60 s. */
  caseTimeoutMs?: number;
  /** A case ends when the device has been quiet this long after its task ended, or at all in `--wait` mode: 10 s. */
  idleMs?: number;
  /** The rules to run, for tests of the suite itself; all of them by default. */
  rules?: readonly Rule[];
  /** Called with each case's result, in rule order, as soon as it and every case before it are known. */
  onCase?: (result: CaseResult) => void;
  /** Called with the evidence of each judged case: to keep it, or to judge it again offline with `judge`. */
  onJudged?: (rule: Rule, evidence: Evidence) => void;
  /** Called with every request the device makes, as its answer completes (`--verbose`'s request log). */
  onRequest?: (rule: Rule, entry: JournalEntry) => void;
}

/**
 * Runs the conformance suite. For each selected rule, a case: a platform on a virtual clock prepared as the
 * rule's scenario says, the device run, triggers fired at their moments, and the rule's judgement of what the
 * device did. Independent cases run side by side.
 *
 * @example
 * const result = await runConformance({ cases: ['TOK-*'], profile: { type: 1, manuf: '014', model: '01401' } });
 * if (!result.ok) process.exitCode = 1;
 */
export async function runConformance(options: RunOptions = {}): Promise<RunResult> {
  const device = options.device ?? commandDevice();
  const rules = options.rules ?? allRules;
  const cases = options.cases ?? ['*'];
  const exclude = options.exclude ?? [];
  checkSelection(cases, rules, '--cases');
  checkSelection(exclude, rules, '--exclude');
  const unknown = Object.keys(options.expectedFailures ?? {}).filter((id) => !rules.some((r) => r.id === id));
  if (unknown.length > 0) throw new ConformanceConfigError(`expected failures name no rule: ${unknown.join(', ')}`);
  const profile = deviceProfile(options.profile);
  const startedAt = new Date().toISOString();
  const shared = device.waits || (options.port ?? 0) !== 0;
  const jobs = shared ? 1 : Math.max(1, options.jobs ?? Math.min(8, availableParallelism() * 2));
  const base = {
    ...(options.onJudged ? { onJudged: options.onJudged } : {}),
    device,
    profile,
    without: options.without ?? [],
    expectedFailures: options.expectedFailures ?? {},
    limits: { caseTimeoutMs: options.caseTimeoutMs ?? 60_000, idleMs: options.idleMs ?? 10_000 },
  };
  const platformOptions: PlatformOptions = {
    clock: 'virtual',
    tokenRules: options.tokenRules ?? 'strict',
    // A command makes the patches; otherwise the built-in generator, on the worker that brings its LZMA2 encoder.
    ...(options.diff
      ? { generateDiff: options.diff.command ? commandDiffs({ command: options.diff.command }) : workerDiffs() }
      : {}),
    ...(options.diff ? { diffFormat: options.diff.format } : {}),
  };
  const listen = (observed: ReturnType<typeof observe>, port: number) =>
    startServer({ platform: observed.platform, host: options.host ?? '127.0.0.1', port });
  // One case at a time on a shared platform, so its requests are that case's while it runs.
  const watch = (observed: ReturnType<typeof observe>, rule: Rule) =>
    options.onRequest ? observed.platform.journal.onComplete((entry) => options.onRequest?.(rule, entry)) : () => {};
  const sharedPlatform = shared ? observe(createPlatform(platformOptions)) : undefined;
  const sharedServer = sharedPlatform ? await listen(sharedPlatform, options.port ?? 0) : undefined;
  const sharedMqtt =
    sharedPlatform && profile.generation === 'fuse'
      ? await startMqttBroker({
          platform: sharedPlatform.platform,
          host: options.host ?? '127.0.0.1',
          port: options.mqttPort ?? 0,
        })
      : undefined;

  const sharedSntp =
    sharedPlatform && options.ntpPort !== undefined
      ? await startSntpServer({
          clock: sharedPlatform.platform.clock,
          host: options.host ?? '127.0.0.1',
          port: options.ntpPort,
        })
      : undefined;

  const runOne = async (rule: Rule): Promise<CaseResult> => {
    if (!selected(rule, cases, exclude))
      return {
        ...caseHeader(rule),
        verdict: 'disabled',
        findings: ['excluded by the case selection'],
        evidence: [],
        durationMs: 0,
        transcript: [],
        states: [],
      };
    if (sharedPlatform && sharedServer) {
      const unwatch = watch(sharedPlatform, rule);
      try {
        return await runCase(rule, {
          ...base,
          observed: sharedPlatform,
          baseUrl: sharedServer.url,
          ...(sharedMqtt ? { mqtt: sharedMqtt } : {}),
        });
      } finally {
        unwatch();
      }
    }
    const observed = observe(createPlatform(platformOptions));
    watch(observed, rule);
    let server: RunningServer | undefined;
    try {
      server = await listen(observed, 0);
      const ctx: CaseContext = { ...base, observed, baseUrl: server.url };
      return await runCase(rule, ctx);
    } finally {
      await server?.close();
    }
  };

  const results: CaseResult[] = new Array(rules.length);
  let emitted = 0;
  const emit = () => {
    for (; emitted < rules.length && results[emitted]; emitted++) options.onCase?.(results[emitted] as CaseResult);
  };
  let next = 0;
  const worker = async () => {
    while (next < rules.length) {
      const index = next++;
      results[index] = await runOne(rules[index] as Rule);
      emit();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, rules.length) }, worker));
  } finally {
    await sharedSntp?.close();
    await sharedMqtt?.close();
    await sharedServer?.close();
  }
  const counts = Object.fromEntries(verdicts.map((v) => [v, results.filter((c) => c.verdict === v).length])) as Record<
    Verdict,
    number
  >;
  const blocking = results.filter(
    (c) => ['fail', 'timeout', 'error'].includes(c.verdict) && !(c.verdict === 'fail' && c.expected),
  );
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    device: device.describe,
    deviceClock: device.clock,
    profile,
    cases: results,
    counts,
    ok: blocking.length === 0,
  };
}
