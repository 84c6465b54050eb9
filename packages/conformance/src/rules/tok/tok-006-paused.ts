import type { JournalEntry } from '@onenet-ota/mock-server';
import {
  CheckErrno,
  FuseCode,
  OtaErrnoCode,
  ResultCode,
  StudioCode,
  TokenCheckErrno,
} from '@onenet-ota/openapi/protocol';
import { defineRule, downloadedWhole, should } from '../../define-rule.ts';
import { accepted, calls, codes, isFailureCode, tokenChecks } from '../../evidence.ts';
import type { Evidence, Finding, Scenario } from '../../types.ts';

// Studio and the new platform have no word for a pause: the mock's answer is inferred, so only SHOULD there.
const inferred =
  "no Studio or new-platform source describes a pause: the mock's answer (Ota-Errno 5, code 21, status still 1) is inferred, and the Studio SDK takes Ota-Errno 5 for a cancel";

export default defineRule({
  id: 'TOK-006',
  title: 'On pause, the device waits and tries again without using a retry',
  ref: '§2.3, §3, §4.4',
  level: 'MUST',
  description:
    'The task is paused as soon as the device has found it. Legacy: token check then answers 19 ("升级任务暂停，根据重试时间重新检查，不消耗重试次数"): the device waits `interval` and checks again, and a pause never uses up its retries: with one retry allowed, two paused checks must not end in 207. Studio and the new platform (SHOULD, inferred): the download answers `Ota-Errno: 5` with code 21 while the task status stays 1 (waiting); the device asks again later rather than giving up or reporting a failure, and downloads once the task resumes.',
  scenario: ({ generation }): Scenario =>
    generation === 'legacy'
      ? {
          strategy: { retry: { mode: 'retry', count: 1, intervalSeconds: 1 } },
          triggers: [
            { when: { errno: { operation: 'checkTask', errno: CheckErrno.Success } }, do: 'pause' },
            {
              when: { errno: { operation: 'checkToken', errno: TokenCheckErrno.TaskPaused, count: 2 } },
              do: 'resume',
              byDevice: true,
            },
          ],
        }
      : {
          triggers: [
            { when: { errno: { operation: 'checkTask', errno: CheckErrno.Success } }, do: 'pause' },
            // Both downloads are refused as paused: the device asked again after a refusal.
            { when: { downloads: 2 }, do: 'resume', byDevice: true },
          ],
        },
  needs: ['scenario'],
  check: (evidence) => (evidence.profile.generation === 'legacy' ? legacy(evidence) : byTaskId(evidence)),
});

function legacy(evidence: Evidence): string[] {
  const paused = tokenChecks(evidence.journal).filter((c) => c.errno === TokenCheckErrno.TaskPaused);
  const gaps = paused.slice(1).flatMap((c, i) => {
    const waited = between(evidence.journal, paused[i]?.seq, c.seq);
    return waited < 1000
      ? [`#${c.seq} checks again ${waited} ms after the pause answer #${paused[i]?.seq}, not waiting the 1 s interval`]
      : [];
  });
  return [
    ...(paused.length < 2
      ? [
          `the device checked its token ${paused.length} time(s) while paused${paused[0] ? ` (first answer 19 at #${paused[0].seq})` : ''} and then ${after(evidence.journal, paused.at(-1)?.seq)}; it should wait the interval and check again until the task resumes`,
        ]
      : []),
    ...gaps,
    ...(accepted(evidence.journal).includes(ResultCode.RetriesExhausted)
      ? ['it reported 207: the pause used up its retries']
      : []),
    ...downloadedWhole(evidence),
  ];
}

function byTaskId(evidence: Evidence): Finding[] {
  const { journal, profile } = evidence;
  const invalid = profile.generation === 'studio' ? StudioCode.InvalidOperation : FuseCode.InvalidOperation;
  const paused = calls(journal, 'downloadPackage').filter(
    (e) => e.errno === invalid && e.response.headers['ota-errno'] === String(OtaErrnoCode.TaskUnavailable),
  );
  const first = paused[0]?.seq ?? 0;
  const findings = [
    ...(paused.length < 2
      ? [
          `the device asked for the package ${paused.length} time(s) while paused${paused[0] ? ` (first refused at #${first})` : ''} and then ${after(journal, paused.at(-1)?.seq)}; it should ask again later until the task resumes`,
        ]
      : []),
    ...codes(journal)
      .filter((c) => c.seq > first && first > 0 && isFailureCode(c.code))
      .map((c) => `#${c.seq} reports failure ${c.code} for a paused task`),
    ...downloadedWhole(evidence),
  ];
  return findings.map((text) => should(text, inferred));
}

/** Milliseconds between two entries, on the platform's clock or the wall's, whichever moved more. */
function between(journal: JournalEntry[], from: number | undefined, to: number): number {
  const [a, b] = [journal.find((e) => e.seq === from), journal.find((e) => e.seq === to)];
  return Math.max(
    Date.parse(b?.time ?? '') - Date.parse(a?.time ?? ''),
    Date.parse(b?.wallTime ?? '') - Date.parse(a?.wallTime ?? ''),
  );
}

/** What the device did after an entry: something else, or nothing. */
function after(journal: JournalEntry[], seq: number | undefined): string {
  return journal.some((e) => e.seq > (seq ?? 0)) ? 'did something else' : 'stopped';
}
