import { describe, expect, it } from 'vitest';
import { agentDevice, quirks, runConformance } from '../src/index.ts';
import { agentMutants, failing, findings, mutantFragmentSize } from './mutants.ts';

// Each of the reference agent's quirks run through the whole suite: it fails exactly the rules about its mistake
// (the matrix in mutants.ts). A slow test: every quirk is a whole run of the suite.

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
    // A run with warnings alone still conforms.
    expect(result.ok).toBe(!expected.some((verdict) => verdict.endsWith(':fail')));
  });
});
