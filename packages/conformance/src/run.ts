import { createPlatform } from '@onenet-ota/mock-server';
import { startServer } from '@onenet-ota/mock-server/node';
import { runCase } from './case.ts';
import { commandDevice } from './drivers/command.ts';
import type { DeviceDriver } from './drivers/device.ts';
import { observe } from './observe.ts';
import { rules as allRules } from './rules/index.ts';
import type { Capability, CaseResult, Rule, RunResult, Verdict } from './types.ts';

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

const verdicts: Verdict[] = ['pass', 'fail', 'warn', 'skip', 'disabled', 'timeout', 'error'];

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
