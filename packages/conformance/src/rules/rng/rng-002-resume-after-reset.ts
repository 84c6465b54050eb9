import { defineRule, downloadedWhole } from '../../define-rule.ts';
import { downloads } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-002',
  title: 'After a connection reset, the download resumes from the last good byte, not from 0',
  ref: '§2.4, §2.10',
  level: 'MUST',
  description:
    'The platform resets the connection 1000 bytes into the third fragment. The device keeps what it got and asks for the rest, `interval` later, instead of starting over.',
  scenario: {
    faults: [{ match: { operation: 'downloadPackage', nth: 3 }, action: { kind: 'reset', afterBytes: 1000 } }],
  },
  needs: ['scenario'],
  check(evidence) {
    const list = downloads(evidence.journal);
    const broken = list.find((d) => d.aborted);
    if (!broken || broken.start === undefined)
      return ['the reset cut no ranged download short: the device never saw it'];
    const next = list.find((d) => d.seq > broken.seq);
    if (!next) return [`no download after the reset at #${broken.seq}`, ...downloadedWhole(evidence)];
    return [
      ...(next.start === undefined || next.start < broken.start
        ? [
            `#${next.seq} asks for ${next.range}: it restarts before byte ${broken.start}, where the broken fragment began`,
          ]
        : []),
      ...downloadedWhole(evidence),
    ];
  },
});
