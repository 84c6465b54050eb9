import { quirks } from '@onenet-ota/sdk';
import { describe, expect, it } from 'vitest';
import { agentDevice, commandDevice, type RunResult, rules, runConformance } from '../src/index.ts';

const failing = (result: RunResult) =>
  result.cases
    .filter((c) => c.verdict !== 'pass')
    .map((c) => `${c.id}:${c.verdict}`)
    .sort();

describe('the suite against the reference device', () => {
  it('passes every case with the SDK agent in process', async () => {
    const result = await runConformance({ device: agentDevice() });
    expect(failing(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.cases).toHaveLength(rules.length);
  });

  it('passes every case with ota-device as a real process per case', async () => {
    const result = await runConformance({ device: commandDevice() });
    expect(failing(result)).toEqual([]);
    expect(result.cases.every((c) => c.device?.exitCode !== undefined)).toBe(true);
  }, 120_000);
});

// Each mutant is the reference agent with one deliberate mistake. It must fail the rules about that mistake and
// pass the rest. Where a mistake has consequences another rule is about, that rule is listed, with the reason.
const matrix: Record<(typeof quirks)[number], string[]> = {
  // Without token checks the platform never moves the device to downloading, so every report is refused
  // (OneNET FAQ: "校验token的这个流程不要忽略，不然上报状态会失败"), the refused 101 stops it before any restore or
  // install (so no 201 for RNG-004 and DIFF-001, no 204 for DIFF-002, no new version for RPT-005 to judge), and no
  // token answer (12, 15, 19, 20, 22) is ever seen.
  'skip-token-check': [
    'DIFF-001:fail',
    'DIFF-002:fail',
    'RNG-004:fail',
    'RPT-001:fail',
    'RPT-002:fail',
    'RPT-003:fail',
    'RPT-004:fail',
    'RPT-005:skip',
    'STRAT-003:fail',
    'TOK-001:fail',
    'TOK-002:warn',
    'TOK-003:fail',
    'TOK-004:fail',
    'TOK-005:fail',
    'TOK-006:fail',
  ],
  'reuse-expired-token': ['TOK-003:fail'],
  'restart-from-zero': ['RNG-002:fail'],
  'ignore-content-range': ['RNG-007:fail'],
  'skip-md5': ['RNG-006:fail'],
  // A 201 without a 101 is refused, so the upgrade never ends succeeded, and no new version is there to report.
  'skip-101': ['RPT-002:fail', 'RPT-003:fail', 'RPT-005:skip'],
  // Its extra, lower step comes right after the answer that said the task was canceled.
  'progress-down': ['RPT-001:fail', 'RPT-004:fail'],
  'ignore-thresholds': ['STRAT-001:fail'],
  'ignore-retry-policy': ['STRAT-002:fail'],
  'report-after-cancel': ['RPT-004:fail', 'TOK-005:fail'],
};

describe('mutant devices', () => {
  it('covers every quirk the agent has', () => {
    expect(Object.keys(matrix).sort()).toEqual([...quirks].sort());
  });

  it.each(Object.entries(matrix))('%s fails exactly %j', async (quirk, expected) => {
    const result = await runConformance({ device: agentDevice({ quirks: [quirk as (typeof quirks)[number]] }) });
    expect(failing(result)).toEqual(expected);
    expect(result.ok).toBe(false);
  });
});
