import { ResultCode } from '@onenet-ota/openapi/protocol';
import { defineRule, installedNothing } from '../../define-rule.ts';
import { accepted, downloads } from '../../evidence.ts';

export default defineRule({
  id: 'STRAT-001',
  title: 'A battery threshold the device cannot meet stops it from downloading, with 105',
  ref: '§2.10',
  level: 'MUST',
  generations: { only: ['legacy'], why: 'Studio and the new platform send no signal or battery thresholds' },
  description:
    'The task asks for a battery above 100 % ("任务在大于该电量下进行"), which no device has. The device checks it before downloading ("每次下载升级包前都应该检查电量及信号强度"), downloads nothing and reports 105.',
  scenario: { strategy: { power: 100 }, device: { power: 80 } },
  needs: ['found-task'],
  check(evidence) {
    return [
      ...downloads(evidence.journal).map(
        (d) => `#${d.seq} downloads although the battery is below the task's threshold`,
      ),
      ...(accepted(evidence.journal).some(
        (c) => c === ResultCode.DownloadLowBattery || c === ResultCode.DownloadWeakSignal,
      )
        ? []
        : ['no accepted 105 (or 106)']),
      ...installedNothing(evidence),
    ];
  },
});
