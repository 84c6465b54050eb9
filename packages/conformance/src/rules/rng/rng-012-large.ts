import { defineRule, downloadedWhole } from '../../define-rule.ts';

export default defineRule({
  id: 'RNG-012',
  title: 'A package of several MiB is downloaded whole',
  ref: '§2.4',
  level: 'MUST',
  description:
    'Two MiB and three bytes: hundreds of fragments, offsets past 16 bits and an image larger than any buffer a device holds in RAM.',
  scenario: { packageSize: 2 * 1024 * 1024 + 3 },
  needs: ['found-task'],
  check: (evidence) => downloadedWhole(evidence),
});
