import { DownloadErrorCode, ProgressErrno, ResultCode } from '@onenet-ota/openapi/protocol';
import { claimsBackedByBytes, defineRule, installedNothing, installedTarget } from '../../define-rule.ts';
import { codes, downloads, firstGap, servedIntact } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-005',
  title: 'A one-byte error body is never taken as data',
  ref: '§2.4',
  level: 'MUST',
  generations: {
    only: ['legacy'],
    why: 'Studio and the new platform refuse a download with Ota-Errno, not the one-byte body (OTA-001 judges that)',
  },
  description:
    "The platform answers the second fragment with OneNET's error body: no Content-Length and one byte, 3 (invalid token). The device must not take it as data: it reports 107 and installs nothing (as the docs say), or asks for that range again and gets it; either way it claims no download the bytes that reached it do not back.",
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
    const list = downloads(evidence.journal);
    const errorAnswer = list.find((d) => evidence.faults.some((f) => d.faults.includes(f.id)));
    if (!errorAnswer) return [];
    const reported107 = codes(evidence.journal).some(
      (c) => c.seq > errorAnswer.seq && c.code === ResultCode.DownloadFailed && c.errno === ProgressErrno.Success,
    );
    // Judged by the bytes that reached the device: the range the error answered, delivered intact later.
    const from = errorAnswer.start ?? 0;
    const to = Math.min(errorAnswer.end ?? evidence.file.size - 1, evidence.file.size - 1);
    const later = servedIntact(
      evidence.journal.filter((e) => e.seq > errorAnswer.seq),
      evidence.faults,
    );
    const fetchedAgain = firstGap(
      later
        .map(([a, b]): [number, number] => [Math.max(a, from) - from, Math.min(b, to + 1) - from])
        .filter(([a, b]) => b > a),
      to - from + 1,
    );
    if (reported107) return [...claimsBackedByBytes(evidence), ...installedNothing(evidence)];
    if (fetchedAgain === undefined) return [...claimsBackedByBytes(evidence), ...installedTarget(evidence)];
    return [
      `after the error byte at #${errorAnswer.seq} (bytes ${from}-${to} asked) the device neither reported 107 nor got those bytes again (bytes ${from + fetchedAgain[0]}-${from + fetchedAgain[1]} never came)`,
      ...claimsBackedByBytes(evidence),
      ...installedNothing(evidence),
    ];
  },
});
