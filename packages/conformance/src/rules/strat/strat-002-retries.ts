import { ResultCode } from '@onenet-ota/sdk';
import { defineRule } from '../../define-rule.ts';
import { accepted, downloads } from '../../evidence.ts';

export default defineRule({
  id: 'STRAT-002',
  title: "Retries respect the task's count and interval, and end with 207",
  ref: '§2.10',
  level: 'MUST',
  generations: { only: ['legacy'], why: 'Studio and the new platform send no retry count or interval' },
  description:
    'Every download fails (503). With `retry` 2 and `interval` 1 s the device tries 3 times, 1 s apart, then reports 207 ("达到最大重试次数").',
  scenario: {
    strategy: { retry: { mode: 'retry', count: 2, intervalSeconds: 1 } },
    faults: [{ match: { operation: 'downloadPackage' }, action: { kind: 'status', status: 503 }, times: null }],
  },
  needs: ['found-task', 'scenario'],
  check({ journal }) {
    const tries = downloads(journal);
    const gaps = tries.slice(1).flatMap((d, i) => {
      const previous = tries[i] as (typeof tries)[number];
      const waited = Math.max(d.time - previous.time, d.wallTime - previous.wallTime);
      return waited < 1000
        ? [`#${d.seq} retries ${waited} ms after #${previous.seq}, not waiting the 1 s interval`]
        : [];
    });
    return [
      ...(tries.length === 3 ? [] : [`${tries.length} download attempts, not 1 + 2 retries`]),
      ...gaps,
      ...(accepted(journal).at(-1) === ResultCode.RetriesExhausted
        ? []
        : [`the last accepted code is ${accepted(journal).at(-1) ?? 'none'}, not 207`]),
    ];
  },
});
