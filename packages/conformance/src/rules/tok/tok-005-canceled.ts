import type { JournalEntry } from '@onenet-ota/mock-server';
import { Errno, TidTaskStatus } from '@onenet-ota/openapi/protocol';
import { defineRule } from '../../define-rule.ts';
import { canonical, codes, downloads, isFailureCode } from '../../evidence.ts';

export default defineRule({
  id: 'TOK-005',
  title: 'On cancel, the device stops and reports no failure',
  ref: '§2.3, §3, §4.4',
  level: 'MUST',
  description:
    'The task is canceled mid-download. Once an answer says so, in its generation\'s words (legacy: token check or report errno 22, "升级任务被取消，无需上报升级失败"; Studio and the new platform: code 22 with `Ota-Errno: 5` on a download, or task status 6 "升级取消"), the device stops downloading and reports no failure code.',
  scenario: { triggers: [{ when: { downloads: 3 }, do: 'cancel' }] },
  needs: ['scenario'],
  check({ journal, fired }) {
    const cancel = fired.find((f) => f.action === 'cancel')?.seq ?? 0;
    const told = journal.find((e) => e.seq > cancel && saysCanceled(e));
    if (!told) return ['no answer told the device the task was canceled: it stopped calling before it could hear it'];
    return [
      ...downloads(journal)
        .filter((d) => d.seq > told.seq)
        .map((d) => `#${d.seq} downloads after #${told.seq} said the task was canceled`),
      ...codes(journal)
        .filter((c) => c.seq > cancel && isFailureCode(c.code))
        .map((c) => `#${c.seq} reports failure ${c.code} for a canceled task`),
    ];
  },
});

/** Whether an answer tells the device its task was canceled, in any generation's words. */
function saysCanceled(entry: JournalEntry): boolean {
  if (entry.errno === Errno.TaskCanceled) return true;
  const data = (entry.response.body?.json as { data?: { status?: unknown } } | undefined)?.data;
  return canonical(entry.operation) === 'checkTaskStatus' && data?.status === TidTaskStatus.Canceled;
}
