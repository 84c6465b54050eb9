import { ProgressErrno, ResultCode } from '@onenet-ota/openapi/protocol';
import { defineRule, should } from '../../define-rule.ts';
import { codes, isDownloadDone } from '../../evidence.ts';

export default defineRule({
  id: 'RPT-002',
  title: '101 (or step 100) comes before 201',
  ref: '§2.5, FAQ',
  level: 'MUST',
  description:
    '"上报状态不能直接报升级完成（201），需要先上报下载固件完成（101）": the device reports the finished download before the finished upgrade. On Studio, OneNET\'s own thing-model C client reports 201 straight after its download; the platform takes that there, and this rule only warns.',
  scenario: {},
  needs: ['reported-success'],
  check({ journal, profile }) {
    const sent = codes(journal);
    const first201 = sent.find((c) => c.code === ResultCode.UpgradeSucceeded);
    if (!first201) return [];
    const downloaded = sent.some(
      (c) => isDownloadDone(c.code) && c.errno === ProgressErrno.Success && c.seq < first201.seq,
    );
    if (downloaded) return [];
    const text = `#${first201.seq} reports 201 without an accepted 101 or step 100 before it`;
    return [
      profile.generation === 'studio'
        ? should(text, "OneNET's thing-model C client (AIO CONFIG_TM) does so on Studio, which takes it here")
        : text,
    ];
  },
});
