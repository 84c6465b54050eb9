import { ResultCode } from '@onenet-ota/openapi/protocol';
import { defineRule, installedNothing } from '../../define-rule.ts';
import { codes } from '../../evidence.ts';

export default defineRule({
  id: 'DIFF-002',
  title: 'A differential package made from another image gives 204 and is not installed',
  ref: '§2.5',
  level: 'MUST',
  description:
    'The device runs an image the patch was not made from. Restoring fails its check, and the device reports 204 ("升级包与当前任务目标版本不一致") instead of installing a wrong image or reporting 201.',
  requires: ['diff'],
  scenario: { diff: 'wrong-base' },
  needs: ['found-task', 'downloaded'],
  check(evidence) {
    return [
      ...(codes(evidence.journal).some((c) => c.code === ResultCode.UpgradeVersionMismatch)
        ? []
        : ['no 204 for a patch that does not fit its image']),
      ...codes(evidence.journal)
        .filter((c) => c.code === ResultCode.UpgradeSucceeded)
        .map((c) => `#${c.seq} reports 201 with a patch made from another image`),
      ...installedNothing(evidence),
    ];
  },
});
