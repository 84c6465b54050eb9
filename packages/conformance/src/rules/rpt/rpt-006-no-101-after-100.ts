import { bounds, Errno, ResultCode } from '@onenet-ota/openapi/protocol';
import { defineRule } from '../../define-rule.ts';
import { codes } from '../../evidence.ts';

export default defineRule({
  id: 'RPT-006',
  title: 'No 101 after step 100',
  ref: '§2.5, §4.5',
  level: 'MUST',
  description:
    'Step 100 already says the package is downloaded and moves the device to upgrading, where only upgrade codes are taken ("升级中状态只能上报升级中的状态码"; the new platform: "设备上报100后不能再次上报101，两者都相当于升级包下载完成"). A device that reported 100 goes on to install and 201, never 101: OneNET refuses that 101 (errno 21).',
  scenario: {},
  needs: ['sent-step-100'],
  check({ journal }) {
    const sent = codes(journal);
    const hundred = sent.find((c) => c.code === bounds.Step.maximum && c.errno === Errno.Success);
    if (!hundred) return [];
    return sent
      .filter((c) => c.seq > hundred.seq && c.code === ResultCode.Downloaded)
      .map((c) => `#${c.seq} reports 101 after step 100 at #${hundred.seq}`);
  },
});
