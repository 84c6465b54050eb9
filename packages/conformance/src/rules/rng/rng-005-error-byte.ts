import { DownloadErrorCode, ProgressErrno, ResultCode } from '@onenet-ota/sdk';
import { defineRule, installedNothing } from '../../define-rule.ts';
import { codes, downloads, isDownloadDone } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-005',
  title: 'A one-byte error body is an error, reported as 107',
  ref: '§2.4',
  level: 'MUST',
  generations: {
    only: ['legacy'],
    why: 'Studio and the new platform refuse a download with Ota-Errno, not the one-byte body (OTA-001 judges that)',
  },
  description:
    "The platform answers the second fragment with OneNET's error body: no Content-Length and one byte, 3 (invalid token). The device must not take it as data, reports 107 and installs nothing.",
  scenario: {
    faults: [
      {
        match: { operation: 'downloadPackage', nth: 2 },
        action: { kind: 'error-byte', code: DownloadErrorCode.InvalidToken },
      },
    ],
  },
  needs: ['scenario'],
  check(evidence) {
    const errorAnswer = downloads(evidence.journal).find((d) => evidence.faults.some((f) => d.faults.includes(f.id)));
    const after = codes(evidence.journal).filter((c) => c.seq > (errorAnswer?.seq ?? 0));
    return [
      ...(after.some((c) => c.code === ResultCode.DownloadFailed && c.errno === ProgressErrno.Success)
        ? []
        : [`no accepted 107 after the error byte at #${errorAnswer?.seq}`]),
      ...after
        .filter((c) => isDownloadDone(c.code) || c.code === ResultCode.UpgradeSucceeded)
        .map((c) => `#${c.seq} reports ${c.code} as if the error byte were data`),
      ...installedNothing(evidence),
    ];
  },
});
