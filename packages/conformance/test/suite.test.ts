import { describe, expect, it } from 'vitest';
import { agentDevice, commandDevice, quirks, rules, runConformance } from '../src/index.ts';
import { agentMutants, failing, findings, mutantFragmentSize } from './mutants.ts';

describe('the suite against the reference device', () => {
  it('passes every case with the SDK agent in process', async () => {
    const result = await runConformance({ device: agentDevice() });
    expect(failing(result), findings(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.cases).toHaveLength(rules.length);
  });

  it('passes every case with ota-device as a real process per case', async () => {
    const result = await runConformance({ device: commandDevice() });
    expect(failing(result), findings(result)).toEqual([]);
    expect(result.cases.every((c) => c.device?.exitCode !== undefined)).toBe(true);
  }, 120_000);
});

describe('mutant devices', () => {
  it('covers every quirk the agent has', () => {
    expect(Object.keys(agentMutants).sort()).toEqual([...quirks].sort());
  });

  it.each(Object.entries(agentMutants))('%s fails exactly %j', async (quirk, expected) => {
    const result = await runConformance({
      device: agentDevice({ quirks: [quirk as (typeof quirks)[number]], fragmentSize: mutantFragmentSize }),
      profile: { fragmentSize: mutantFragmentSize },
    });
    expect(failing(result), findings(result)).toEqual(expected);
    expect(result.ok).toBe(false);
  });
});
