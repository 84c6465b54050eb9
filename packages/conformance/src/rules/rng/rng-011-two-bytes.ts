import { defineRule, downloadedWhole } from '../../define-rule.ts';

export default defineRule({
  id: 'RNG-011',
  title: "A two-byte package, OneNET's smallest fragment, is downloaded and installed",
  ref: '§2.4',
  level: 'MUST',
  description:
    'A package of exactly the minimum fragment ("每次获取分片包的最小范围限制为2个字节"): the device asks for more than there is or exactly both bytes, and takes the answer the platform clamps to the file.',
  scenario: { packageSize: 2 },
  needs: ['found-task'],
  check: (evidence) => downloadedWhole(evidence),
});
