import { defineRule } from '../../define-rule.ts';
import { accepted, codes } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-006',
  title: 'A corrupted package is caught by its md5, reported 205, and not installed',
  ref: '§2.4',
  level: 'MUST',
  description:
    'The platform flips 4 bytes of the third fragment in flight (package bytes 10 000–10 003, for a device fetching 4 KiB fragments; any fragment size that fetches byte 10 000 third or earlier works the same). The device compares the whole image\'s md5 with the task\'s, reports 205 ("升级失败,MD5校验失败") and never 201.',
  scenario: {
    faults: [
      { match: { operation: 'downloadPackage', nth: 3 }, action: { kind: 'corrupt', atByte: 10_000, count: 4 } },
    ],
  },
  check({ journal }) {
    return [
      ...(accepted(journal).includes(205) ? [] : ['no accepted 205 for the corrupted image']),
      ...codes(journal)
        .filter((c) => c.code === 201)
        .map((c) => `#${c.seq} reports 201: a corrupted image was installed`),
    ];
  },
});
