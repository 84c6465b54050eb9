import type { RunResult } from '../types.ts';

/**
 * What a run shows, in the words of every report: `conforms` only when every case ran and nothing failed, timed out
 * or errored; a run left partial by the case selection says how many were not run and never that it conforms.
 */
export function outcome(result: RunResult): { conforms: boolean; text: string } {
  const notRun = result.counts.disabled;
  if (!result.ok) return { conforms: false, text: 'does not conform' };
  if (notRun > 0)
    return {
      conforms: false,
      text: `${notRun} not run: nothing failed in what ran, but a partial run does not show conformance`,
    };
  return { conforms: true, text: 'conforms' };
}
