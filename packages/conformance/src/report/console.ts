import type { CaseResult, RunResult, Verdict } from '../types.ts';

const labels: Record<Verdict, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  skip: 'SKIP',
  disabled: 'OFF ',
  timeout: 'TIME',
  error: 'ERR ',
};

/** One progress line per case, with the first finding indented under it. */
export function consoleLine(result: CaseResult): string {
  const known = result.expected ? ` (expected: ${result.expected})` : '';
  const head = `${labels[result.verdict]}  ${result.id.padEnd(10)} ${result.title}  ${(result.durationMs / 1000).toFixed(1)} s${known}`;
  const shown = ['fail', 'warn', 'timeout', 'error'].includes(result.verdict) ? result.findings.slice(0, 3) : [];
  const more =
    result.findings.length > shown.length && shown.length > 0
      ? [`… and ${result.findings.length - shown.length} more`]
      : [];
  return [head, ...[...shown, ...more].map((f) => `        ${f}`)].join('\n');
}

/** The closing lines: counts per verdict and the overall outcome. */
export function consoleSummary(result: RunResult): string {
  const counts = Object.entries(result.counts)
    .filter(([, n]) => n > 0)
    .map(([verdict, n]) => `${n} ${verdict}`)
    .join(', ');
  const passed = result.counts.pass + result.counts.warn;
  const failed = result.counts.fail + result.counts.timeout + result.counts.error;
  return `${counts} — ${result.ok ? 'conforms' : 'does not conform'}\n${passed} passed, ${failed} failed, ${result.counts.skip + result.counts.disabled} skipped`;
}
