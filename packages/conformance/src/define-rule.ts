import { codes } from './evidence.ts';
import type { Evidence, Rule } from './types.ts';

/** Declares a rule; the identity function, there for the types and for one place to read what a rule is. */
export function defineRule(rule: Rule): Rule {
  return rule;
}

/** A finding unless the device ended the task succeeded: the scenario was survivable and it should have upgraded. */
export function endedSucceeded(evidence: Evidence): string[] {
  const state = evidence.status?.state;
  return state === 'succeeded'
    ? []
    : [
        `the device should have upgraded despite the scenario, but its task ended ${state ?? 'unknown'} (last code ${evidence.status?.lastCode ?? 'none'})`,
      ];
}

/**
 * A finding unless the device judged the image whole: it reported the download done (101 or step 100) or the
 * upgrade done (201), and never an md5 failure (205). Accepted or not: whether the platform agreed is the subject
 * of the RPT rules, not of the rule asking.
 */
export function completedDownload(evidence: Evidence): string[] {
  const sent = codes(evidence.journal).map((c) => c.code);
  if (sent.includes(205)) return ['it reported 205: the image it assembled was wrong'];
  return sent.some((c) => c === 100 || c === 101 || c === 201)
    ? []
    : ['it never reported the download or the upgrade done'];
}
