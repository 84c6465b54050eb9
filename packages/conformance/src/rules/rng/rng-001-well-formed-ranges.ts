import { patterns } from '@onenet-ota/sdk';
import { defineRule } from '../../define-rule.ts';
import { downloads } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-001',
  title: 'Fragments are well-formed Range requests that cover the file without gaps',
  ref: '§2.4',
  level: 'MUST',
  description:
    'Each download sends `Range: bytes=s-e` (or OneNET\'s `s-e`) of at least 2 bytes ("每次获取分片包的最小范围限制为2个字节"), and the bytes received cover the whole package.',
  scenario: {},
  check({ journal, file }) {
    const list = downloads(journal);
    const findings: string[] = [];
    for (const d of list) {
      if (d.range === undefined) findings.push(`#${d.seq} has no Range header: the whole file in one response`);
      else if (!patterns.RangeHeader.test(d.range))
        findings.push(`#${d.seq} Range "${d.range}" is not bytes=s-e, s-e, s- or -n`);
      else if (d.start !== undefined && d.end !== undefined && d.end - d.start + 1 < 2)
        findings.push(`#${d.seq} asks for fewer than 2 bytes`);
    }
    // Bytes the platform actually delivered, from the start of each answered range.
    const delivered = list
      .filter((d) => d.status === 206 || d.status === 200)
      .map((d) => [d.status === 200 ? 0 : (d.start ?? 0), d.bytesSent] as const);
    delivered.sort((a, b) => a[0] - b[0]);
    let covered = 0;
    for (const [start, length] of delivered) {
      if (start > covered) break;
      covered = Math.max(covered, start + length);
    }
    if (covered < file.size)
      findings.push(`the fragments received cover bytes 0-${covered - 1} only, the package has ${file.size}`);
    return findings;
  },
});
