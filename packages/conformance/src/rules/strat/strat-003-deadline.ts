import { ResultCode, TokenCheckErrno } from '@onenet-ota/openapi/protocol';
import { defineRule } from '../../define-rule.ts';
import { codes, downloads, isFailureCode, tokenChecks } from '../../evidence.ts';
import { preventedBy } from '../../prevented.ts';

export default defineRule({
  id: 'STRAT-003',
  title: "When the task's deadline passes, the task ends with 208 and the device stops",
  ref: '§5.4, §2.5',
  level: 'MUST',
  generations: {
    only: ['legacy'],
    why: 'the deadline reaches the device as 208 on the legacy API only (the new platform has no 208)',
  },
  description:
    'The deadline ("截止时间") passes mid-download: the platform fails the device with 208 ("设备升级过期") and token check answers 20. The device stops downloading and reports nothing more.',
  scenario: {
    deadlineAfterMs: 3_600_000,
    triggers: [{ when: { downloads: 3 }, do: 'pass-deadline' }],
  },
  needs: ['scenario'],
  check(evidence) {
    const { journal, status } = evidence;
    const ended = tokenChecks(journal).find((c) => c.errno === TokenCheckErrno.TaskFinished);
    return [
      ...(status?.lastCode === ResultCode.UpgradeExpired
        ? []
        : [`the device's task ended with ${status?.lastCode ?? 'no code'}, not 208`]),
      ...(ended ? [] : [`no token check answered 20 after the deadline${preventedBy(evidence)}`]),
      ...downloads(journal)
        .filter((d) => ended && d.seq > ended.seq)
        .map((d) => `#${d.seq} downloads after the task ended`),
      ...codes(journal)
        .filter((c) => ended && c.seq > ended.seq && isFailureCode(c.code))
        .map((c) => `#${c.seq} reports ${c.code} after the platform ended the task`),
    ];
  },
});
