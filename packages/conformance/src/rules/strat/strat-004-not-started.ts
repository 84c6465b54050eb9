import { defineRule } from '../../define-rule.ts';
import { codes, downloads, tokenChecks } from '../../evidence.ts';

export default defineRule({
  id: 'STRAT-004',
  title: 'A task that has not started is not pursued',
  ref: '§5.4',
  level: 'MUST',
  description:
    'The task exists but was never started: check answers 11 (no task). The device checks, finds nothing to do and downloads nothing.',
  scenario: { notStarted: true },
  needs: ['checked'],
  check({ journal }) {
    return [
      ...[...tokenChecks(journal), ...downloads(journal), ...codes(journal)].map(
        (e) => `#${e.seq} pursues a task that has not started`,
      ),
    ];
  },
});
