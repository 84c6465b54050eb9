import type { CaseResult, RunResult, Verdict } from '../types.ts';
import { verdicts } from '../types.ts';
import { outcome } from './outcome.ts';

const labels: Record<Verdict, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  skip: 'SKIP',
  disabled: 'OFF ',
  timeout: 'TIME',
  error: 'ERR ',
};

/** One progress line per case, with its first findings (or why it was skipped) indented under it. */
export function consoleLine(result: CaseResult): string {
  const known = result.expected ? ` (expected: ${result.expected})` : '';
  const head = `${labels[result.verdict]}  ${result.id.padEnd(10)} ${result.title}  ${(result.durationMs / 1000).toFixed(1)} s${known}`;
  const limit = result.verdict === 'skip' ? 1 : result.verdict === 'error' ? 6 : 3;
  const shown = ['fail', 'warn', 'timeout', 'error', 'skip'].includes(result.verdict)
    ? result.findings.slice(0, limit)
    : [];
  const more =
    result.findings.length > shown.length && shown.length > 0
      ? [`… and ${result.findings.length - shown.length} more`]
      : [];
  return [head, ...[...shown, ...more].map((f) => `        ${f}`)].join('\n');
}

/**
 * The closing line: how many cases ended with each verdict, in the words every report uses (the JSON `counts`,
 * the HTML badges; JUnit maps them to its own tests/failures/errors/skipped), and the outcome.
 */
export function consoleSummary(result: RunResult): string {
  const counts = verdicts
    .filter((v) => result.counts[v] > 0)
    .map((v) => `${result.counts[v]} ${v}`)
    .join(', ');
  return `${result.cases.length} cases: ${counts} — ${outcome(result).text}`;
}
