import { ResultCode } from '@onenet-ota/openapi/protocol';
import { defineRule, installedTarget } from '../../define-rule.ts';
import { accepted } from '../../evidence.ts';

export default defineRule({
  id: 'RPT-003',
  title: 'The final code matches what happened',
  ref: '§2.5',
  level: 'MUST',
  description:
    'In a clean run the device downloads, installs the target image and ends with 201; the platform then has it succeeded.',
  scenario: {},
  needs: ['found-task'],
  check(evidence) {
    const last = accepted(evidence.journal).at(-1);
    const state = evidence.status?.state;
    return [
      ...(last === ResultCode.UpgradeSucceeded
        ? []
        : [`the last code the platform accepted is ${last ?? 'none'}, not 201`]),
      ...(state === 'succeeded'
        ? []
        : [
            `the platform has the device ${state ?? 'unknown'} in the task (last code ${evidence.status?.lastCode ?? 'none'}), not succeeded`,
          ]),
      ...installedTarget(evidence),
    ];
  },
});
