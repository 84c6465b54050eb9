import { ResultCode } from '@onenet-ota/openapi/protocol';
import { defineRule, installedNothing } from '../../define-rule.ts';
import { accepted, codes, downloads } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-006',
  title: 'A corrupted package is caught by its md5, reported 205, and not installed',
  ref: '§2.4',
  level: 'MUST',
  description:
    'The platform flips 4 bytes in the middle of the third fragment in flight. The device compares the whole image\'s md5 with the task\'s, reports 205 ("升级失败,MD5校验失败"), never 201, and installs nothing.',
  scenario: ({ fragmentSize }) => ({
    faults: [
      {
        match: { operation: 'downloadPackage', nth: 3 },
        action: { kind: 'corrupt', atByte: 2 * fragmentSize + Math.floor(fragmentSize / 2), count: 4 },
      },
    ],
  }),
  needs: ['scenario'],
  check(evidence) {
    const [fault] = evidence.faults;
    const at = fault?.create.action.kind === 'corrupt' ? fault.create.action.atByte : 0;
    const hit = downloads(evidence.journal).find((d) => fault && d.faults.includes(fault.id));
    const from = hit?.served?.start ?? 0;
    if (!hit || at < from || at >= from + hit.bytesSent)
      return [
        `the corruption at byte ${at} never reached the device: the third download carried bytes ${from}-${from + (hit?.bytesSent ?? 0) - 1} (cases assume fragments of about ${evidence.profile.fragmentSize} bytes, see --fragment-size)`,
      ];
    return [
      ...(accepted(evidence.journal).includes(ResultCode.UpgradeMd5Mismatch)
        ? []
        : ['no accepted 205 for the corrupted image']),
      ...codes(evidence.journal)
        .filter((c) => c.code === ResultCode.UpgradeSucceeded)
        .map((c) => `#${c.seq} reports 201: a corrupted image was installed`),
      ...installedNothing(evidence),
    ];
  },
});
