import { defineRule, endedSucceeded } from '../../define-rule.ts';
import { accepted } from '../../evidence.ts';

export default defineRule({
  id: 'RPT-003',
  title: 'The final code matches what happened',
  ref: '§2.5',
  level: 'MUST',
  description: 'In a clean run the device downloads, installs and ends with 201; the platform then has it succeeded.',
  scenario: {},
  check(evidence) {
    const last = accepted(evidence.journal).at(-1);
    return [
      ...(last === 201 ? [] : [`the last code the platform accepted is ${last ?? 'none'}, not 201`]),
      ...endedSucceeded(evidence),
    ];
  },
});
