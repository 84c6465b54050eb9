import { Errno } from '@onenet-ota/openapi/protocol';
import { defineRule } from '../../define-rule.ts';
import { codes } from '../../evidence.ts';

export default defineRule({
  id: 'RPT-004',
  title: 'Nothing is reported after the task ended for the device',
  ref: '§2.5',
  level: 'MUST',
  description:
    'Once the device is canceled, failed or succeeded, the platform refuses any step or code ("其他状态如：已取消，升级失败、升级成功、暂停时，不能上报"). The task is canceled mid-download; once an answer tells the device so (errno 20 or 22), it reports nothing more.',
  scenario: { triggers: [{ when: { downloads: 3 }, do: 'cancel' }] },
  needs: ['scenario'],
  check({ journal }) {
    // A report racing the cancel is not the device's fault; one sent after the platform told it the task ended is.
    const told = journal.find((e) => e.errno === Errno.TaskFinished || e.errno === Errno.TaskCanceled);
    if (!told) return ['the device was never told the task ended: it stopped calling before the cancel'];
    return codes(journal)
      .filter((c) => c.seq > told.seq)
      .map((c) => `#${c.seq} reports ${c.code} after #${told.seq} told it the task ended (errno ${told.errno})`);
  },
});
