import { DiffFormat, ResultCode } from '@onenet-ota/openapi/protocol';
import { defineRule, upgraded } from '../../define-rule.ts';
import { codes, downloads } from '../../evidence.ts';

/** What a failed restore of each built-in format most likely means. */
const madeBy: Partial<Record<DiffFormat, string>> = {
  [DiffFormat.Vcdiff]: " (the platform's built-in generator)",
  [DiffFormat.VcdiffLzma]:
    " (the built-in generator, with xdelta3's LZMA secondary compression: a decoder without LZMA2 restores only --diff-format vcdiff)",
};

export default defineRule({
  id: 'DIFF-001',
  title: 'A differential package is restored into the new image and installed',
  ref: '§5.2, §2.2',
  level: 'MUST',
  description:
    'The task hands out a differential package the platform generated online (check answers `type` 2): the device downloads the patch, not the image, restores the new image from the one it runs (`{firmware}`; "设备需要使用OneNET平台提供SDK进行差分还原") and installs it. What it writes to `{output}` must be the target image, not the patch.',
  requires: ['diff', 'image'],
  scenario: { diff: 'matching' },
  // Not 'reported-success': a device that cannot restore the patch served (204) is judged here, and told its format.
  needs: ['found-task'],
  check(evidence) {
    const received = downloads(evidence.journal).reduce((n, d) => n + d.bytesSent, 0);
    const found = [
      ...(received > evidence.file.size * 2
        ? [`it downloaded ${received} bytes for a ${evidence.file.size}-byte patch`]
        : []),
      ...(codes(evidence.journal).some((c) => c.code === ResultCode.UpgradeVersionMismatch)
        ? ['it reported 204 although the patch was made from its image']
        : []),
      ...upgraded(evidence),
    ];
    if (found.length === 0) return [];
    // Which format the device failed to restore, and that a pass here is not a pass on OneNET's online diff.
    const format = evidence.file.format ?? DiffFormat.Vcdiff;
    return [
      ...found,
      `the patch served was ${format}${madeBy[format] ?? ' (made by --diff-cmd)'}; restore the format your toolchain makes with --diff-cmd, and know that OneNET's own online patches are in its restore SDK's format, which no tool here makes`,
    ];
  },
});
