import { requestLine } from '@onenet-ota/mock-server';
import type { RunResult } from '../types.ts';
import { escapeMarkup } from './escape.ts';

/**
 * JUnit XML: one test case per rule. fail and timeout are failures, error is an error (the suite broke), skip and
 * disabled are skipped, and a warning passes with its findings in `system-out`. Every case that ran carries its
 * transcript in `system-out`, a line per request as `ota-mock` prints it, so a CI page shows what the device did.
 */
export function junitReport(result: RunResult): string {
  const failures = result.cases.filter((c) => c.verdict === 'fail' || c.verdict === 'timeout').length;
  const errors = result.cases.filter((c) => c.verdict === 'error').length;
  const skipped = result.cases.filter((c) => c.verdict === 'skip' || c.verdict === 'disabled').length;
  const seconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000;
  const cases = result.cases.map((c) => {
    const name = escapeMarkup(`${c.id} ${c.title}`);
    const classname = `onenet-ota.${c.id.split('-')[0]?.toLowerCase()}`;
    const text = escapeMarkup(c.findings.join('\n'));
    const body =
      c.verdict === 'fail' || c.verdict === 'timeout'
        ? `<failure type="${c.verdict}" message="${escapeMarkup(c.findings[0] ?? c.verdict)}">${text}</failure>`
        : c.verdict === 'error'
          ? `<error message="${escapeMarkup(c.findings[0] ?? 'error')}">${text}</error>`
          : c.verdict === 'skip' || c.verdict === 'disabled'
            ? `<skipped message="${escapeMarkup(c.findings[0] ?? c.verdict)}"/>`
            : '';
    const requests = c.transcript.map((entry) => requestLine(entry)).join('\n');
    const out = [
      c.verdict === 'warn' ? `SHOULD broken:\n${c.findings.join('\n')}` : '',
      requests && `Requests:\n${requests}`,
    ]
      .filter(Boolean)
      .join('\n\n');
    return `    <testcase name="${name}" classname="${classname}" time="${(c.durationMs / 1000).toFixed(3)}">${body}${out ? `<system-out>${escapeMarkup(out)}</system-out>` : ''}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="onenet-ota-conformance" tests="${result.cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${escapeMarkup(result.device)}" tests="${result.cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${result.startedAt}" time="${seconds.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
