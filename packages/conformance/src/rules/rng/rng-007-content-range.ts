import { completedDownload, defineRule } from '../../define-rule.ts';

export default defineRule({
  id: 'RNG-007',
  title: 'Content-Range is compared with the request',
  ref: '§2.4',
  level: 'MUST',
  description:
    'The platform answers the third fragment with another range than asked, and a Content-Range that says so. The device notices, drops it and asks again, so the image is right.',
  scenario: {
    faults: [{ match: { operation: 'downloadPackage', nth: 3 }, action: { kind: 'wrong-content-range', shift: 4096 } }],
  },
  check: (evidence) => [...completedDownload(evidence)],
});
