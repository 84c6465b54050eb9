import { describe, expect, it } from 'vitest';
import { agentDevice, rules, runConformance } from '../src/index.ts';
import { matches } from '../src/select.ts';

describe('case selection', () => {
  it.each([
    ['TOK-001', 'TOK-*', true],
    ['TOK-001', 'tok-00?', true],
    ['RNG-001', 'TOK-*', false],
    ['STRAT-002', '*', true],
    ['STRAT-002', 'STRAT-00', false],
    ['RNG-002', 'RNG-00[1-3]', true],
    ['RNG-004', 'RNG-00[1-3]', false],
    ['RPT-005', 'RPT-00[!5]', false],
    ['RPT-004', 'RPT-00[!5]', true],
  ])('%s against %s is %s', (id, glob, want) => {
    expect(matches(id, glob)).toBe(want);
  });

  it('disables what is not selected, skips what the device lacks, and forgives expected failures', async () => {
    const result = await runConformance({
      device: agentDevice({ quirks: ['skip-md5'] }),
      cases: ['RNG-*'],
      exclude: ['RNG-001'],
      without: ['restart'],
      expectedFailures: { 'RNG-006': 'md5 check lands in firmware 2.1' },
    });
    const verdicts = Object.fromEntries(result.cases.map((c) => [c.id, c.verdict]));
    expect(verdicts['TOK-001']).toBe('disabled');
    expect(verdicts['RNG-001']).toBe('disabled');
    expect(verdicts['RNG-003']).toBe('skip');
    expect(verdicts['RNG-006']).toBe('fail');
    expect(result.cases.find((c) => c.id === 'RNG-006')?.expected).toBe('md5 check lands in firmware 2.1');
    expect(result.ok).toBe(true);
  });

  it('refuses a glob that matches no rule or never closes its bracket, naming the rules', async () => {
    await expect(runConformance({ device: agentDevice(), cases: ['TOK-*', 'FOO-1'] })).rejects.toThrow(
      /--cases FOO-1 matches no rule; the rules are AUTH-001 .* DIFF-002$/,
    );
    await expect(runConformance({ device: agentDevice(), exclude: ['RNG-0[1'] })).rejects.toThrow(
      '"RNG-0[1" has a [ that is never closed',
    );
  });

  it('has stable, unique ids in FAMILY-NNN form', () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(AUTH|REQ|HTTP|TOK|RNG|OTA|MQTT|RPT|STRAT|DIFF)-\d{3}$/);
  });
});

describe('evidence', () => {
  it('takes the failure codes from the state machine: 102–107 and 202–208', async () => {
    const { isFailureCode } = await import('../src/evidence.ts');
    const failures = Array.from({ length: 210 }, (_, i) => i).filter(isFailureCode);
    expect(failures).toEqual([102, 103, 104, 105, 106, 107, 202, 203, 204, 205, 206, 207, 208]);
  });
});
