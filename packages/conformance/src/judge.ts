import { evaluateNeeds } from './needs.ts';
import type { Evidence, Rule, Verdict } from './types.ts';

/** A rule's judgement of one case. */
export interface Judgement {
  verdict: Extract<Verdict, 'pass' | 'fail' | 'warn' | 'skip'>;
  findings: string[];
  /** What the verdict rests on. */
  evidence: string[];
}

/**
 * Judges a case: first whether the device did what the rule needs to say anything (without that, a MUST fails
 * and a SHOULD is skipped, never passed), then the rule's own check.
 *
 * @example
 * const { verdict, findings } = judge(rule, evidence);
 */
export function judge(rule: Rule, evidence: Evidence): Judgement {
  const needs = evaluateNeeds(rule.needs, evidence);
  if (needs.missing.length === 0 && needs.absent.length > 0)
    return { verdict: 'skip', findings: needs.absent, evidence: needs.evidence };
  if (needs.missing.length > 0) {
    return rule.level === 'MUST'
      ? { verdict: 'fail', findings: needs.missing, evidence: needs.evidence }
      : { verdict: 'skip', findings: needs.missing, evidence: needs.evidence };
  }
  const found = rule.check(evidence);
  const binding = found.some((f) => typeof f === 'string');
  const verdict = found.length === 0 ? 'pass' : binding && rule.level === 'MUST' ? 'fail' : 'warn';
  const findings = found.map((f) => (typeof f === 'string' ? f : f.text));
  return { verdict, findings, evidence: needs.evidence };
}
