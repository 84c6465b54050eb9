import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalEntry } from '@onenet-ota/mock-server';
import { type RunningBroker, startMqttBroker } from '@onenet-ota/mock-server/node';
import { type DriveLimits, driveDevice } from './drive.ts';
import type { DeviceDriver, DeviceSetup } from './drivers/device.ts';
import { writeClockOffset } from './drivers/device-clock.ts';
import { delivered, servedIntact } from './evidence.ts';
import { judge } from './judge.ts';
import type { Observed } from './observe.ts';
import { otherGeneration } from './other-generation.ts';
import type { DeviceProfile } from './profile.ts';
import { credentials, prepare, SetupError, scenarioFor } from './scenario.ts';
import type { Capability, CaseResult, DeviceExit, Evidence, Rule, Verdict } from './types.ts';

/** What one case needs from the run. */
export interface CaseContext {
  device: DeviceDriver;
  profile: DeviceProfile;
  without: readonly Capability[];
  expectedFailures: Readonly<Record<string, string>>;
  limits: DriveLimits;
  /** The platform the case runs on (its own, or the run's one for a device on the bench) and its address. */
  observed: Observed;
  baseUrl: string;
  /** The run's MQTT door, for a device on the bench; without it a case that needs MQTT starts its own. */
  mqtt?: RunningBroker;
  onJudged?: (rule: Rule, evidence: Evidence) => void;
}

/** Runs one rule's case: prepare the platform, drive the device, judge the evidence. */
export async function runCase(rule: Rule, ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const finish = (verdict: Verdict, findings: string[], extra: Partial<CaseResult> = {}): CaseResult => ({
    ...caseHeader(rule),
    verdict,
    findings,
    evidence: [],
    transcript: [],
    states: [],
    durationMs: performance.now() - started,
    ...(ctx.expectedFailures[rule.id] ? { expected: ctx.expectedFailures[rule.id] } : {}),
    ...extra,
  });
  const lacking = (rule.requires ?? []).filter((c) => ctx.without.includes(c) || ctx.device.lacks.includes(c));
  if (lacking.length > 0) return finish('skip', [`the device does not offer ${lacking.join(', ')}`]);
  const { generation } = ctx.profile;
  if (rule.generations && !rule.generations.only.includes(generation))
    return finish('skip', [`does not apply to ${generation}: ${rule.generations.why}`]);

  const caseDir = await mkdtemp(join(tmpdir(), `ota-conformance-${rule.id}-`));
  let own: RunningBroker | undefined;
  try {
    const scenario = scenarioFor(rule.scenario, ctx.profile);
    if (scenario.mqtt && !ctx.mqtt)
      own = await startMqttBroker({ platform: ctx.observed.platform, host: new URL(ctx.baseUrl).hostname, port: 0 });
    const mqtt = ctx.mqtt ?? own;
    const prepared = await prepare(ctx.observed.admin, scenario, ctx.profile);
    ctx.observed.begin();
    const setup: DeviceSetup = {
      baseUrl: ctx.baseUrl,
      generation,
      productId: prepared.productId,
      accessKey: credentials.productKey,
      devId: credentials.devId,
      deviceName: credentials.deviceName,
      deviceKey: credentials.deviceKey,
      version: ctx.profile.version,
      manuf: ctx.profile.manuf,
      model: ctx.profile.model,
      type: ctx.profile.type,
      fragmentSize: ctx.profile.fragmentSize,
      stateDir: join(caseDir, 'state'),
      firmware: join(caseDir, 'firmware.bin'),
      output: join(caseDir, 'installed.bin'),
      clockFile: join(caseDir, 'platform-clock'),
      ...(scenario.device?.power === undefined ? {} : { power: scenario.device.power }),
      ...(scenario.device?.signal === undefined ? {} : { signal: scenario.device.signal }),
      platform: ctx.observed.platform,
      // A board on the bench is told the run's broker once; a device started per case only where MQTT is judged.
      ...(mqtt && (scenario.mqtt || ctx.device.waits) ? { mqttUrl: mqtt.url } : {}),
    };
    await mkdir(setup.stateDir);
    await writeClockOffset(setup.clockFile, ctx.observed.platform.clock.now());
    await writeFile(setup.firmware, prepared.firmware);
    const drive = await driveDevice(ctx.device, setup, ctx.observed, scenario, prepared, ctx.limits, mqtt);
    const { calls: journal, strays } = await ctx.observed.journal();
    // Requests the platform could not take show in the transcript where they came, and explain a case not passed.
    const transcript = strays.length === 0 ? journal : [...journal, ...strays].sort((a, b) => a.seq - b.seq);
    const unread = strayFindings(strays);
    const extra = { transcript, states: drive.states, ...(drive.exit ? { device: drive.exit } : {}) };
    // A device whose requests the platform could not take did start: it is judged, and told why it got nowhere.
    if (drive.startFailed && drive.exit && strays.length === 0)
      return finish('error', startFailure(drive.exit), { ...extra, cause: 'device' });
    // A device of another generation is told so first: the case's faults and triggers never reached it.
    const mismatch = otherGeneration(journal, generation);
    if (mismatch) return finish('error', [mismatch, ...unread], { ...extra, cause: 'device' });
    // A handler that threw is the platform's bug: whatever the device did next, the case says nothing about it.
    const bugs = journal.filter((e) => e.exception);
    if (bugs.length > 0)
      return finish(
        'error',
        bugs.map((e) => `the platform failed at #${e.seq} ${e.operation}: ${e.exception?.split('\n')[0]}`),
        { ...extra, cause: 'suite' },
      );
    if (drive.timedOut)
      return finish(
        'timeout',
        [
          `the device had not finished after ${ctx.limits.caseTimeoutMs / 1000} s${slowDownload(journal, prepared.file.size, ctx.limits.caseTimeoutMs)}`,
          ...unread,
        ],
        extra,
      );
    const status = await ctx.observed.admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices/{devId}', {
      params: { path: { productId: prepared.productId, taskId: prepared.taskId, devId: credentials.devId } },
    });
    const showsImage = !ctx.without.includes('image') && !ctx.device.lacks.includes('image');
    const evidence: Evidence = {
      journal,
      ...(strays.length === 0 ? {} : { strays }),
      status: status.data,
      file: prepared.file,
      image: prepared.image,
      ...(showsImage ? { installed: await fileDigest(setup.output) } : {}),
      strategy: prepared.strategy,
      faults: prepared.faults,
      fired: drive.fired,
      pending: drive.pending,
      ...(drive.restartedAfterSeq === undefined ? {} : { restartedAfterSeq: drive.restartedAfterSeq }),
      profile: ctx.profile,
      clock: ctx.device.clock,
    };
    ctx.onJudged?.(rule, evidence);
    const judgement = judge(rule, evidence);
    const findings = judgement.verdict === 'pass' ? judgement.findings : [...judgement.findings, ...unread];
    return finish(judgement.verdict, findings, { ...extra, evidence: judgement.evidence });
  } catch (error) {
    const reason =
      error instanceof SetupError
        ? `the suite could not set the case up: ${error.message}`
        : `the suite failed: ${error instanceof Error ? error.stack : String(error)}`;
    return finish('error', [reason], { cause: 'suite' });
  } finally {
    await own?.close();
    await rm(caseDir, { recursive: true, force: true });
  }
}

/**
 * For a case that timed out mid-download: how far the device got and how long the package would take at its pace,
 * so a device with small fragments (or a slow link) is told to give the case more time, not that it is wrong.
 */
function slowDownload(journal: JournalEntry[], size: number, timeoutMs: number): string {
  const got = servedIntact(journal, []).reduce((sum, [a, b]) => sum + b - a, 0);
  if (got === 0 || got >= size) return '';
  const fragments = delivered(journal).length;
  const needed = Math.ceil(((timeoutMs / 1000) * size) / got);
  return `: it had received ${got} of the ${size}-byte package in ${fragments} downloads (about ${Math.round(got / fragments)} bytes each); at that pace it needs about ${needed} s: give it longer with --case-timeout ${Math.ceil(needed * 1.5)}, or fetch larger fragments`;
}

/** The fields of a case result that come from its rule. */
export function caseHeader(rule: Rule): Pick<CaseResult, 'id' | 'title' | 'ref' | 'level' | 'description'> {
  return { id: rule.id, title: rule.title, ref: rule.ref, level: rule.level, description: rule.description };
}

/** The device's requests the platform could not take, as findings (the first three): often why it failed. */
function strayFindings(strays: JournalEntry[]): string[] {
  const shown = strays
    .slice(0, 3)
    .map(
      (e) =>
        `the platform could not take request #${e.seq} (${e.request.method} ${e.request.path} → ${e.response.status}): ${e.note ?? 'no reason given'}`,
    );
  return strays.length > 3 ? [...shown, `and ${strays.length - 3} more requests it could not take`] : shown;
}

/** Why a device that never made a request could not be judged: its exit and the end of what it said. */
function startFailure(exit: DeviceExit): string[] {
  const how =
    exit.exitCode === null
      ? `could not be started${exit.signal ? ` (signal ${exit.signal})` : ''}`
      : `exited ${exit.exitCode}`;
  const said = exit.stderr.trim().split('\n').filter(Boolean).slice(-5);
  return [`the device command ${how} before its first request`, ...said.map((line) => `stderr: ${line}`)];
}

/** Size and md5 of a file, streamed; null when there is none. */
async function fileDigest(path: string): Promise<{ size: number; md5: string } | null> {
  const hash = createHash('md5');
  let size = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return { size, md5: hash.digest('hex') };
}
