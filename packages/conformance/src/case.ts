import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Platform } from '@onenet-ota/mock-server';
import type { components } from '@onenet-ota/sdk';
import { driveDevice } from './drive.ts';
import type { DeviceDriver } from './drivers/device.ts';
import { deviceJournal, type Observed } from './observe.ts';
import type { RunOptions } from './run.ts';
import { identity, prepare, SetupError } from './scenario.ts';
import { selected } from './select.ts';
import type { CaseResult, Evidence, Rule, Verdict } from './types.ts';

/** What one case needs from the run. */
export interface CaseContext extends RunOptions {
  device: DeviceDriver;
  platform: Platform;
  observed: Observed;
  baseUrl: string;
}

/** Runs one rule's case: prepare the platform, drive the device, judge the evidence. */
export async function runCase(rule: Rule, ctx: CaseContext): Promise<CaseResult> {
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
