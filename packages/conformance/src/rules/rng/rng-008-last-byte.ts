import { defineRule, downloadedWhole } from '../../define-rule.ts';

export default defineRule({
  id: 'RNG-008',
  title: 'A package one byte longer than a whole number of fragments is downloaded to its last byte',
  ref: '§2.4',
  level: 'MUST',
  description:
    'The package is nine fragments and one byte (size % 4096 == 1 for 4 KiB fragments). A device that may not ask for fewer than 2 bytes still gets the last one, and claims nothing before every byte reached it.',
  scenario: ({ fragmentSize }) => ({ packageSize: fragmentSize * 9 + 1 }),
  needs: ['found-task'],
  check: (evidence) => downloadedWhole(evidence),
});
