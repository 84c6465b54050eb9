import { completedDownload, defineRule } from '../../define-rule.ts';
import { downloads } from '../../evidence.ts';

export default defineRule({
  id: 'RNG-003',
  title: 'After a restart mid-download, the device resumes from persisted state',
  ref: '§2.10, §2.7',
  level: 'MUST',
  description:
    'The device is killed after its fourth fragment, as by a power cut, and started again. It resumes from the offset it persisted ("断电后… 恢复md5和len"), not from byte 0.',
  requires: ['restart'],
  scenario: { triggers: [{ when: { downloads: 4 }, do: 'restart-device' }] },
  check(evidence) {
    if (evidence.restartedAfterSeq === undefined)
      return ['the device was never restarted: it made fewer than 4 downloads'];
    const after = downloads(evidence.journal).find((d) => d.seq > (evidence.restartedAfterSeq ?? 0));
    return [
      ...(after === undefined ? ['no download after the restart'] : []),
      ...(after && !(after.start && after.start > 0)
        ? [`#${after.seq} asks for ${after.range} after the restart: it starts over from 0`]
        : []),
      ...completedDownload(evidence),
    ];
  },
});
