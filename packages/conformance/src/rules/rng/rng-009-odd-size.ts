import { defineRule, downloadedWhole } from '../../define-rule.ts';

export default defineRule({
  id: 'RNG-009',
  title: 'A package of 5121 bytes (size % 1024 == 1) is downloaded whole',
  ref: '§2.4',
  level: 'MUST',
  description:
    'Sizes that are not a multiple of any common fragment size: 5 KiB and one byte ends on a one-byte tail for 1 KiB and 512 B fragments and on a 1025-byte tail for 4 KiB ones.',
  scenario: { packageSize: 5 * 1024 + 1 },
  needs: ['found-task'],
  check: (evidence) => downloadedWhole(evidence),
});
