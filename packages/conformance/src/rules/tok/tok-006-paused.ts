import { CheckErrno, ResultCode, TokenCheckErrno } from '@onenet-ota/sdk';
import { defineRule, downloadedWhole } from '../../define-rule.ts';
import { accepted, tokenChecks } from '../../evidence.ts';

export default defineRule({
  id: 'TOK-006',
  title: 'On pause, the device waits and tries again without using a retry',
  ref: '§2.3',
  level: 'MUST',
  generations: { only: ['legacy'], why: 'Studio and the new platform have no upgrade token: the task id replaces it' },
  description:
    'The task is paused as soon as the device has found it. Token check then answers 19 ("升级任务暂停，根据重试时间重新检查，不消耗重试次数"): the device waits `interval` and checks again, and a pause never uses up its retries: with one retry allowed, two paused checks must not end in 207.',
  scenario: {
    strategy: { retry: { mode: 'retry', count: 1, intervalSeconds: 1 } },
    triggers: [
      { when: { errno: { operation: 'checkTask', errno: CheckErrno.Success } }, do: 'pause' },
      {
        when: { errno: { operation: 'checkToken', errno: TokenCheckErrno.TaskPaused, count: 2 } },
        do: 'resume',
        byDevice: true,
      },
    ],
  },
  needs: ['scenario'],
  check(evidence) {
    const paused = tokenChecks(evidence.journal).filter((c) => c.errno === TokenCheckErrno.TaskPaused);
    const gaps = paused.slice(1).flatMap((c, i) => {
      const [a, b] = [
        evidence.journal.find((e) => e.seq === paused[i]?.seq),
        evidence.journal.find((e) => e.seq === c.seq),
      ];
      const waited = Math.max(
        Date.parse(b?.time ?? '') - Date.parse(a?.time ?? ''),
        Date.parse(b?.wallTime ?? '') - Date.parse(a?.wallTime ?? ''),
      );
      return waited < 1000
        ? [
            `#${c.seq} checks again ${waited} ms after the pause answer #${paused[i]?.seq}, not waiting the 1 s interval`,
          ]
        : [];
    });
    return [
      ...(paused.length < 2
        ? [
            `the device checked its token ${paused.length} time(s) while paused${paused[0] ? ` (first answer 19 at #${paused[0].seq})` : ''} and then ${evidence.journal.some((e) => e.seq > (paused.at(-1)?.seq ?? 0)) ? 'did something else' : 'stopped'}; it should wait the interval and check again until the task resumes`,
          ]
        : []),
      ...gaps,
      ...(accepted(evidence.journal).includes(ResultCode.RetriesExhausted)
        ? ['it reported 207: the pause used up its retries']
        : []),
      ...downloadedWhole(evidence),
    ];
  },
});
