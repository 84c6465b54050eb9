import { TokenCheckErrno } from '@onenet-ota/sdk';
import { defineRule } from '../../define-rule.ts';
import { codes, downloads, isFailureCode, tokenChecks } from '../../evidence.ts';

export default defineRule({
  id: 'TOK-005',
  title: 'On cancel, the device stops and reports no failure',
  ref: '§2.3',
  level: 'MUST',
  generations: { only: ['legacy'], why: 'Studio and the new platform have no upgrade token: the task id replaces it' },
  description:
    'When token check answers 22 ("升级任务被取消，无需上报升级失败") the device stops downloading and reports no failure code.',
  scenario: { triggers: [{ when: { downloads: 3 }, do: 'cancel' }] },
  needs: ['scenario'],
  check({ journal }) {
    const canceled = tokenChecks(journal).find((c) => c.errno === TokenCheckErrno.TaskCanceled);
    if (!canceled) return ['the device never checked its token after the cancel'];
    return [
      ...downloads(journal)
        .filter((d) => d.seq > canceled.seq)
        .map((d) => `#${d.seq} downloads after #${canceled.seq} said the task was canceled`),
      ...codes(journal)
        .filter((c) => isFailureCode(c.code))
        .map((c) => `#${c.seq} reports failure ${c.code} for a canceled task`),
    ];
  },
});
