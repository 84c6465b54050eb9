import { ProgressErrno, ResultCode } from '@onenet-ota/openapi/protocol';
import { defineRule } from '../../define-rule.ts';
import { calls, codes } from '../../evidence.ts';

export default defineRule({
  id: 'RPT-005',
  title: 'After a success the device reports the target version',
  ref: '§2.1, §2.2',
  level: 'SHOULD',
  description:
    "Running the new image, the device reports its version (version report or task check) as the task's target, and never the old one again.",
  scenario: {},
  needs: ['succeeded'],
  check({ journal, file }) {
    const success = codes(journal).find(
      (c) => c.code === ResultCode.UpgradeSucceeded && c.errno === ProgressErrno.Success,
    );
    if (!success) return [];
    const later = [...calls(journal, 'reportVersion'), ...calls(journal, 'checkTask')].filter(
      (e) => e.seq > success.seq,
    );
    const versions = later.map((e) => {
      const body = e.request.body?.json as { f_version?: string; s_version?: string } | undefined;
      return { seq: e.seq, version: e.request.query.version ?? body?.s_version ?? body?.f_version };
    });
    if (!versions.some((v) => v.version === file.target))
      return [`no version report of ${file.target} after the 201 at #${success.seq}`];
    return versions
      .filter((v) => v.version !== file.target)
      .map((v) => `#${v.seq} reports version ${v.version} after upgrading to ${file.target}`);
  },
});
