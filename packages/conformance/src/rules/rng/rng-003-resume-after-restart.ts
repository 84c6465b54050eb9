import { defineRule, downloadedWhole } from '../../define-rule.ts';
import { downloads } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-003',
  title: 'After a power cut mid-download, the device resumes from persisted state',
  ref: '§2.10, §2.7',
  level: 'MUST',
  description:
    'The device\'s whole process group is killed after its fourth fragment, as by a power cut, and started again. It resumes from the offset it persisted ("断电后… 恢复md5和len"), not from byte 0.',
  requires: ['restart'],
  scenario: { triggers: [{ when: { downloads: 4 }, do: 'restart-device' }] },
  needs: ['scenario'],
  check(evidence) {
    const after = downloads(evidence.journal).find((d) => d.seq > (evidence.restartedAfterSeq ?? 0));
    return [
      ...(after === undefined ? ['no download after the restart'] : []),
      ...(after && !(after.start && after.start > 0)
        ? [`#${after.seq} asks for ${after.range ?? 'the whole file'} after the restart: it starts over from 0`]
        : []),
      ...downloadedWhole(evidence),
    ];
  },
});
