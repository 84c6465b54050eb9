import { bounds, Errno, ResultCode } from '@onenet-ota/sdk';
import { defineRule } from '../../define-rule.ts';
import { codes } from '../../evidence.ts';

export default defineRule({
  id: 'RPT-006',
  title: 'On the new platform, no 101 after step 100',
  ref: '§4.5',
  level: 'MUST',
  generations: {
    only: ['fuse'],
    why: 'the rule is written for the new platform only; legacy and Studio devices end with 101',
  },
  description:
    'Step 100 already says the package is downloaded: "设备上报100后不能再次上报101，两者都相当于升级包下载完成". A device that reported 100 goes on to install and 201, never 101.',
  scenario: {},
  needs: ['download-done'],
  check({ journal }) {
    const sent = codes(journal);
    const hundred = sent.find((c) => c.code === bounds.Step.maximum && c.errno === Errno.Success);
    if (!hundred) return [];
    return sent
      .filter((c) => c.seq > hundred.seq && c.code === ResultCode.Downloaded)
      .map((c) => `#${c.seq} reports 101 after step 100 at #${hundred.seq}`);
  },
});
