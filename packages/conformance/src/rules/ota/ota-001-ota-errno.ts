import { OtaErrnoCode } from '@onenet-ota/openapi/protocol';
import { defineRule, downloadedWhole } from '../../define-rule.ts';

export default defineRule({
  id: 'OTA-001',
  title: 'Ota-Errno is read on every fragment, whatever the HTTP status',
  ref: '§4.4',
  level: 'MUST',
  generations: {
    only: ['studio', 'fuse'],
    why: 'the legacy download has no Ota-Errno; RNG-005 judges its one-byte error body',
  },
  description:
    'A download answered HTTP 200 with `Ota-Errno: 4` and a JSON body is a refusal, not package bytes ("HTTP 状态码可能仍是 200，只有它说实话"). The device keeps none of it, asks for those bytes again and still assembles the target image.',
  // The fault is written for the legacy download and lands on the generation's (the suite aims it).
  scenario: {
    faults: [
      {
        match: { operation: 'downloadPackage', nth: 3 },
        action: { kind: 'ota-errno', code: OtaErrnoCode.SizeMismatch },
      },
    ],
  },
  needs: ['scenario', 'download-done'],
  check: downloadedWhole,
});
