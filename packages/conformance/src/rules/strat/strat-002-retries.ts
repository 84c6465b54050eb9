import { ResultCode } from '@onenet-ota/openapi/protocol';
import { defineRule, should } from '../../define-rule.ts';
import { accepted, downloads } from '../../evidence.ts';

export default defineRule({
  id: 'STRAT-002',
  title: "Retries respect the task's count and interval, and end with 207",
  ref: '§2.10',
  level: 'MUST',
  generations: { only: ['legacy'], why: 'Studio and the new platform send no retry count or interval' },
  description:
    'Every download fails (503). With `retry` 2 and `interval` 1 s the device tries again, then reports 207 ("达到最大重试次数"). `retry` counts retries after the first try (3 tries) or all tries (2, as OneNET\'s own C SDK reads it: `if (0 >= --retry) exit`); both pass, more or fewer fail. Waiting `interval` seconds between tries only warns: the docs give no unit.',
  scenario: {
    strategy: { retry: { mode: 'retry', count: 2, intervalSeconds: 1 } },
    faults: [{ match: { operation: 'downloadPackage' }, action: { kind: 'status', status: 503 }, times: null }],
  },
  needs: ['found-task', 'scenario'],
  check({ journal, strategy }) {
    const count = strategy.retry.mode === 'retry' ? strategy.retry.count : 0;
    const tries = downloads(journal);
    const gaps = tries.slice(1).flatMap((d, i) => {
      const previous = tries[i] as (typeof tries)[number];
      const waited = Math.max(d.time - previous.time, d.wallTime - previous.wallTime);
      return waited < 1000
        ? [
            should(
              `#${d.seq} retries ${waited} ms after #${previous.seq}, not waiting the 1 s interval`,
              "the docs give `interval` no unit; OneNET's C SDK example sleeps that many seconds",
            ),
          ]
        : [];
    });
    return [
      ...(tries.length === count || tries.length === count + 1
        ? []
        : [
            `${tries.length} download attempts; retry ${count} allows ${count + 1} (retries after the first) or ${count} (all tries, as OneNET's C SDK counts)`,
          ]),
      ...gaps,
      ...(accepted(journal).at(-1) === ResultCode.RetriesExhausted
        ? []
        : [`the last accepted code is ${accepted(journal).at(-1) ?? 'none'}, not 207`]),
    ];
  },
});
