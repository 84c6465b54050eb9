import { patterns } from '@onenet-ota/openapi/protocol';
import { defineRule } from '../../define-rule.ts';
import { downloads, firstGap, rangeRuleText, servedIntact } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-001',
  title: 'Fragments are well-formed Range requests of at least 2 bytes that cover the file',
  ref: '§2.4',
  level: 'MUST',
  description:
    'Each download sends `Range: bytes=s-e` (or OneNET\'s `s-e`) of at least 2 bytes ("每次获取分片包的最小范围限制为2个字节"), also for the last byte: the package is four fragments and one byte. OneNET answers a one-byte range with the whole file. The bytes received cover the whole package.',
  scenario: ({ fragmentSize }) => ({ packageSize: fragmentSize * 4 + 1 }),
  needs: ['downloaded', 'download-done'],
  check({ journal, faults, file }) {
    const findings: string[] = [];
    for (const d of downloads(journal)) {
      if (d.range === undefined) findings.push(`#${d.seq} has no Range header: the whole file in one response`);
      else if (!patterns.RangeHeader.test(d.range))
        findings.push(`#${d.seq} Range "${d.range}" is not bytes=s-e, s-e, s- or -n${rangeRuleText(d)}`);
      else if (d.start !== undefined && d.end !== undefined && d.end - d.start + 1 < 2)
        findings.push(`#${d.seq} Range "${d.range}" asks for fewer than 2 bytes${rangeRuleText(d)}`);
    }
    const gap = firstGap(servedIntact(journal, faults), file.size);
    if (gap) findings.push(`bytes ${gap[0]}-${gap[1]} of the ${file.size}-byte package were never received`);
    return findings;
  },
});
