import { ResultCode } from '@onenet-ota/sdk';
import { defineRule, upgraded } from '../../define-rule.ts';
import { codes, downloads } from '../../evidence.ts';

export default defineRule({
  id: 'DIFF-001',
  title: 'A differential package is restored into the new image and installed',
  ref: '§5.2, §2.2',
  level: 'MUST',
  description:
    'The task hands out a differential package the platform generated online (check answers `type` 2): the device downloads the patch, not the image, restores the new image from the one it runs (`{firmware}`; "设备需要使用OneNET平台提供SDK进行差分还原") and installs it. What it writes to `{output}` must be the target image, not the patch.',
  requires: ['diff', 'image'],
  scenario: { diff: 'matching' },
  needs: ['found-task', 'reported-success'],
  check(evidence) {
    const received = downloads(evidence.journal).reduce((n, d) => n + d.bytesSent, 0);
    return [
      ...(received > evidence.file.size * 2
        ? [`it downloaded ${received} bytes for a ${evidence.file.size}-byte patch`]
        : []),
      ...(codes(evidence.journal).some((c) => c.code === ResultCode.UpgradeVersionMismatch)
        ? ['it reported 204 although the patch was made from its image']
        : []),
      ...upgraded(evidence),
    ];
  },
});
