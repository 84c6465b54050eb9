import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform, type JournalEntry, type Platform } from '@onenet-ota/mock-server';
import { startServer } from '@onenet-ota/mock-server/node';
import { type components, operations } from '@onenet-ota/sdk';
import { commandDevice } from './drivers/command.ts';
import type { DeviceDriver, DeviceExit, DeviceSession } from './drivers/device.ts';
import { rules as allRules } from './rules/index.ts';
import { type Identity, prepare, SetupError } from './scenario.ts';
import { selected } from './select.ts';
import type { Action, Capability, CaseResult, Evidence, Rule, RunResult, StateChange, Verdict, When } from './types.ts';

/** Options of {@link runConformance}; everything has a default. */
export interface RunOptions {
  /** The device under test; the SDK's `ota-device` by default. */
  device?: DeviceDriver;
  /** Rule-id globs to run (`['*']`) and to leave out (`[]`). */
  cases?: readonly string[];
  exclude?: readonly string[];
  /** Known gaps: rule id → reason. Their failures are reported but do not fail the run. */
  expectedFailures?: Readonly<Record<string, string>>;
  /** Capabilities the device does not have; rules needing them are skipped. */
  without?: readonly Capability[];
  /** Where the platform listens for devices that use HTTP (`127.0.0.1:0`; `0.0.0.0` for the LAN). */
  host?: string;
  port?: number;
  /** A case that has not finished after this long (wall time) times out: 60 s. */
  caseTimeoutMs?: number;
  /** A case ends when the device has been quiet this long after its task ended, or at all in `--wait` mode: 10 s. */
  idleMs?: number;
  /** The rules to run, for tests of the suite itself; all of them by default. */
  rules?: readonly Rule[];
  /** Called with each case's result as it is known. */
  onCase?: (result: CaseResult) => void;
}

const identity: Identity = {
  productKey: 'Y29uZm9ybWFuY2UgcHJvZHVjdCBrZXkgMDEyMzQ1Njc=',
  devId: 32981907,
  deviceName: 'dut',
  deviceKey: 'Y29uZm9ybWFuY2UgZGV2aWNlIGtleSAwMTIzNDU2Nzg=',
  manuf: '100',
  model: '10001',
  fromVersion: 'V1.0',
  targetVersion: 'V2.0',
};
const verdicts: Verdict[] = ['pass', 'fail', 'warn', 'skip', 'disabled', 'timeout', 'error'];
/** Calls a device makes while idle; anything else is a step of an upgrade. */
const polling = new Set(['checkTask', 'reportVersion', 'getVersion', 'getTasking', 'getDeviceId']);

/**
 * Runs the conformance suite: one mock platform on a virtual clock, and for each selected rule, a fresh case —
 * the platform prepared as the rule's scenario says, the device run, triggers fired at their moments, and the
 * rule's check applied to what the device did.
 *
 * @example
 * const result = await runConformance({ cases: ['TOK-*'] });
 * if (!result.ok) process.exitCode = 1;
 */
export async function runConformance(options: RunOptions = {}): Promise<RunResult> {
  const device = options.device ?? commandDevice();
  const startedAt = new Date().toISOString();
  const platform = createPlatform({ clock: 'virtual' });
  const observed = observe(platform);
  const server = await startServer({
    platform: observed.platform,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
  });
  const cases: CaseResult[] = [];
  try {
    for (const rule of options.rules ?? allRules) {
      const result = await runCase(rule, { ...options, device, platform, observed, baseUrl: server.url });
      cases.push(result);
      options.onCase?.(result);
    }
  } finally {
    await server.close();
  }
  const counts = Object.fromEntries(verdicts.map((v) => [v, cases.filter((c) => c.verdict === v).length])) as Record<
    Verdict,
    number
  >;
  const blocking = cases.filter(
    (c) => ['fail', 'timeout', 'error'].includes(c.verdict) && !(c.verdict === 'fail' && c.expected),
  );
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    device: device.describe,
    cases,
    counts,
    ok: blocking.length === 0,
  };
}

interface CaseContext extends RunOptions {
  device: DeviceDriver;
  platform: Platform;
  observed: Observed;
  baseUrl: string;
}

async function runCase(rule: Rule, ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const base = {
    id: rule.id,
    title: rule.title,
    ref: rule.ref,
    level: rule.level,
    description: rule.description,
    transcript: [],
    states: [],
  };
  const finish = (verdict: Verdict, findings: string[], extra: Partial<CaseResult> = {}): CaseResult => ({
    ...base,
    verdict,
    findings,
    durationMs: performance.now() - started,
    ...(ctx.expectedFailures?.[rule.id] ? { expected: ctx.expectedFailures[rule.id] } : {}),
    ...extra,
  });
  if (!selected(rule, ctx.cases ?? ['*'], ctx.exclude ?? []))
    return finish('disabled', ['excluded by the case selection']);
  const missing = (rule.requires ?? []).filter(
    (c) => ctx.without?.includes(c) || (c === 'restart' && !ctx.device.restartable),
  );
  if (missing.length > 0) return finish('skip', [`the device does not declare ${missing.join(', ')}`]);

  const stateDir = await mkdtemp(join(tmpdir(), `ota-conformance-${rule.id}-`));
  try {
    const prepared = await prepare(ctx.platform, rule.scenario, identity);
    const firmware = prepared.firmware ? join(stateDir, 'firmware.bin') : undefined;
    if (firmware && prepared.firmware) await writeFile(firmware, prepared.firmware);
    const run = await driveDevice(rule, ctx, prepared.taskId, stateDir, firmware);
    const journal = deviceJournal(ctx.platform);
    const status = ctx.platform.state.deviceTasks.get(`${prepared.taskId}/${identity.devId}`);
    const evidence: Evidence = {
      journal,
      status: status ? deviceStatus(status) : undefined,
      file: prepared.file,
      strategy: prepared.strategy,
      ...(run.restartedAfterSeq === undefined ? {} : { restartedAfterSeq: run.restartedAfterSeq }),
    };
    const extra = { transcript: journal, states: run.states, ...(run.exit ? { device: run.exit } : {}) };
    if (run.timedOut)
      return finish('timeout', [`the device had not finished after ${(ctx.caseTimeoutMs ?? 60_000) / 1000} s`], extra);
    const findings = rule.check(evidence);
    return finish(findings.length === 0 ? 'pass' : rule.level === 'MUST' ? 'fail' : 'warn', findings, extra);
  } catch (error) {
    const reason =
      error instanceof SetupError
        ? `the suite could not set the case up: ${error.message}`
        : `the suite failed: ${error instanceof Error ? error.stack : String(error)}`;
    return finish('error', [reason]);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Runs the device for a case, firing the scenario's triggers, until it is done, quiet, or out of time. */
async function driveDevice(
  rule: Rule,
  ctx: CaseContext,
  taskId: string,
  stateDir: string,
  firmware: string | undefined,
): Promise<{ exit?: DeviceExit; timedOut: boolean; states: StateChange[]; restartedAfterSeq?: number }> {
  const setup = {
    baseUrl: ctx.baseUrl,
    productId: '100001',
    accessKey: identity.productKey,
    devId: identity.devId,
    deviceName: identity.deviceName,
    deviceKey: identity.deviceKey,
    version: identity.fromVersion,
    manuf: identity.manuf,
    model: identity.model,
    type: 2 as const,
    stateDir,
    ...(rule.scenario.device?.power === undefined ? {} : { power: rule.scenario.device.power }),
    ...(rule.scenario.device?.signal === undefined ? {} : { signal: rule.scenario.device.signal }),
    platform: ctx.observed.platform,
    ...(firmware ? { firmware } : {}),
  };
  const states: StateChange[] = [];
  const pending = [...(rule.scenario.triggers ?? [])];
  let session: DeviceSession = ctx.device.start(setup);
  let restartedAfterSeq: number | undefined;
  let lastActivity = performance.now();
  // A self-polling device keeps checking for tasks forever; what shows it is done is that it stopped upgrading.
  let lastUpgradeStep = performance.now();
  let restart: Promise<void> | undefined;

  ctx.observed.onRequest = async (entry) => {
    lastActivity = performance.now();
    if (!polling.has(entry.operation?.replace(/Legacy$/, '') ?? '')) lastUpgradeStep = lastActivity;
    const actions: Promise<void>[] = [];
    const deviceTask = ctx.platform.state.deviceTasks.get(`${taskId}/${identity.devId}`);
    if (deviceTask && states.at(-1)?.state !== deviceTask.state)
      states.push({ time: entry.time, state: deviceTask.state, seq: entry.seq });
    for (const trigger of [...pending]) {
      if (!due(trigger.when, ctx.platform)) continue;
      pending.splice(pending.indexOf(trigger), 1);
      if (trigger.do === 'restart-device') {
        // Not awaited: the device's own request is still being answered, and a kill waits for the device to stop.
        restartedAfterSeq = entry.seq;
        restart = session.kill().then(() => {
          session = ctx.device.start(setup);
        });
      } else {
        actions.push(act(trigger.do, ctx.platform, taskId, rule));
      }
    }
    // The device gets its answer only after the triggered change, so the next request sees it.
    await Promise.all(actions);
  };
  try {
    const deadline = performance.now() + (ctx.caseTimeoutMs ?? 60_000);
    for (;;) {
      const current = session;
      const tick = new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), 50));
      const outcome = await Promise.race([current.done.then((exit) => ({ exit })), tick]);
      if (restart) {
        await restart;
        restart = undefined;
        continue;
      }
      if (outcome !== 'tick' && current === session)
        return {
          exit: outcome.exit,
          timedOut: false,
          states,
          ...(restartedAfterSeq === undefined ? {} : { restartedAfterSeq }),
        };
      const idle = ctx.idleMs ?? 10_000;
      if (ctx.device.waits && deviceJournal(ctx.platform).length > 0 && performance.now() - lastUpgradeStep > idle) {
        // Done upgrading (or never started): judge it. Silence before the first request is the timeout's business.
        return { timedOut: false, states, ...(restartedAfterSeq === undefined ? {} : { restartedAfterSeq }) };
      }
      if (ctx.device.waits && deviceJournal(ctx.platform).length > 0 && performance.now() - lastActivity > idle * 3) {
        return { timedOut: true, states, ...(restartedAfterSeq === undefined ? {} : { restartedAfterSeq }) };
      }
      if (performance.now() > deadline) {
        await session.kill();
        return { timedOut: true, states, ...(restartedAfterSeq === undefined ? {} : { restartedAfterSeq }) };
      }
    }
  } finally {
    ctx.observed.onRequest = undefined;
  }
}

function due(when: When, platform: Platform): boolean {
  const journal = deviceJournal(platform);
  if (when.downloads !== undefined)
    return journal.filter((e) => e.operation?.startsWith('downloadPackage')).length >= when.downloads;
  if (when.errno) {
    const { operation, errno, count = 1 } = when.errno;
    return (
      journal.filter((e) => e.operation?.replace(/Legacy$/, '') === operation && e.errno === errno).length >= count
    );
  }
  return false;
}

async function act(
  action: Exclude<Action, 'restart-device'>,
  platform: Platform,
  taskId: string,
  rule: Rule,
): Promise<void> {
  if (action === 'expire-token') return platform.clock.advance(48 * 3600_000 + 1000);
  if (action === 'pass-deadline') return platform.clock.advance((rule.scenario.deadlineAfterMs ?? 0) + 1000);
  await platform.fetch(
    new Request(`http://conformance.invalid/api/v1/products/100001/tasks/${taskId}/${action}`, { method: 'POST' }),
  );
}

/** The device's southbound requests since the case's reset. */
function deviceJournal(platform: Platform): JournalEntry[] {
  return platform.journal
    .query({ devId: identity.devId })
    .entries.filter(
      (e) => e.operation !== null && operations[e.operation as keyof typeof operations]?.tag.startsWith('device'),
    );
}

function deviceStatus(
  record: NonNullable<ReturnType<Platform['state']['deviceTasks']['get']>>,
): components['schemas']['DeviceTaskStatus'] {
  return {
    devId: record.devId,
    state: record.state,
    ...(record.lastCode === undefined ? {} : { lastCode: record.lastCode as 201 }),
    progress: record.progress,
    retriesUsed: record.retriesUsed,
    targetVersion: record.targetVersion,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

interface Observed {
  platform: Platform;
  onRequest: ((entry: JournalEntry) => Promise<void>) | undefined;
}

/** Wraps the platform so the runner sees every device request as soon as it is answered. */
function observe(platform: Platform): Observed {
  const observed: Observed = {
    platform: {
      ...platform,
      fetch: async (request, extra) => {
        const response = await platform.fetch(request, extra);
        const entry = platform.journal.query({ since: 0 }).entries.at(-1);
        if (entry && observed.onRequest && !new URL(request.url).pathname.startsWith('/__mock/'))
          await observed.onRequest(entry);
        return response;
      },
    },
    onRequest: undefined,
  };
  return observed;
}
