import { caseHeader } from '../case.ts';
import { judge } from '../judge.ts';
import { evaluateNeeds } from '../needs.ts';
import { rules as allRules } from '../rules/index.ts';
import { selected } from '../select.ts';
import { type CaseResult, type Rule, type RunResult, type Verdict, verdicts } from '../types.ts';
import { captureEvidence } from './capture-evidence.ts';
import { passiveOrWhy } from './passive.ts';
import type { Capture } from './read-capture.ts';

/** What to judge of a capture, as `runConformance` selects cases. */
export interface JudgeCaptureOptions {
  rules?: readonly Rule[];
  cases?: readonly string[];
  exclude?: readonly string[];
  /** What the capture was, for the reports' header: `capture session.har`. */
  describe?: string;
}

/**
 * Judges a recorded session with every rule that can judge one without steering it, through the same `judge`
 * as a live case: the rules read journal entries, whatever produced them. Every other rule is skipped with why it
 * needs the live platform, and a passive rule whose needs the capture does not show (no download in it) is skipped
 * with what is missing, not failed: the session was what it was, not a case that asked for more.
 *
 * @example
 * const result = judgeCapture(await readCapture('session.json'));
 * await writeReports(result, 'reports/capture');
 */
export function judgeCapture(capture: Capture, options: JudgeCaptureOptions = {}): RunResult {
  const startedAt = new Date().toISOString();
  const evidence = captureEvidence(capture.entries);
  const { profile } = evidence;
  const transcript = [...evidence.journal, ...(evidence.strays ?? [])].sort((a, b) => a.seq - b.seq);
  const cases = (options.rules ?? allRules).map((rule): CaseResult => {
    const finish = (verdict: Verdict, findings: string[], shown: string[] = []): CaseResult => ({
      ...caseHeader(rule),
      verdict,
      findings,
      evidence: shown,
      durationMs: 0,
      transcript: verdict === 'disabled' ? [] : transcript,
      states: [],
    });
    if (!selected(rule, options.cases ?? ['*'], options.exclude ?? [])) return finish('disabled', []);
    if (rule.generations && !rule.generations.only.includes(profile.generation))
      return finish('skip', [`does not apply to ${profile.generation}: ${rule.generations.why}`]);
    const passive = passiveOrWhy(rule, profile);
    if (passive !== true) return finish('skip', [passive]);
    const needs = evaluateNeeds(rule.needs, evidence);
    if (needs.missing.length > 0 || needs.absent.length > 0)
      return finish(
        'skip',
        [...needs.missing, ...needs.absent].map((m) => `the capture does not show it: ${m}`),
        needs.evidence,
      );
    const judged = judge(rule, evidence);
    return finish(judged.verdict, judged.findings, judged.evidence);
  });
  const counts = Object.fromEntries(verdicts.map((v) => [v, cases.filter((c) => c.verdict === v).length])) as Record<
    Verdict,
    number
  >;
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    device: options.describe ?? `a recorded session (${capture.format})`,
    deviceClock: evidence.clock,
    profile,
    cases,
    counts,
    ok: counts.fail === 0,
  };
}
