import { defineRule, downloadedWhole } from '../../define-rule.ts';
import { downloads } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-007',
  title: 'Content-Range is compared with the request',
  ref: '§2.4',
  level: 'MUST',
  description:
    'The platform answers the third fragment with another range than asked, and a Content-Range that says so. The device notices, drops it and asks again: it never reports the download done without having received the bytes it asked for.',
  scenario: ({ fragmentSize }) => ({
    faults: [
      { match: { operation: 'downloadPackage', nth: 3 }, action: { kind: 'wrong-content-range', shift: fragmentSize } },
    ],
  }),
  needs: ['scenario'],
  check(evidence) {
    const shifted = downloads(evidence.journal).find((d) => evidence.faults.some((f) => d.faults.includes(f.id)));
    if (!shifted?.served || shifted.served.start === shifted.start)
      return [`the answer at #${shifted?.seq} carried the range that was asked: the scenario did not happen`];
    return downloadedWhole(evidence);
  },
});
