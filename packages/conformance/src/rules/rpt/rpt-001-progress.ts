import { bounds, ProgressErrno } from '@onenet-ota/openapi/protocol';
import { defineRule, should } from '../../define-rule.ts';
import { codes, isResultCode } from '../../evidence.ts';

export default defineRule({
  id: 'RPT-001',
  title: 'Progress steps stay within 0–100 and are sent only while downloading',
  ref: '§2.5',
  level: 'MUST',
  description:
    'Steps are percentages of the download; the platform accepts them only while the device is downloading ("设备处于“下载中”，才能上报step=[0,100]"). Steps are optional: a device that sends none is skipped. Steps that go down only warn: OneNET documents no order.',
  scenario: {},
  needs: ['sent-steps'],
  check({ journal }) {
    const steps = codes(journal).filter((c) => !isResultCode(c.code));
    let highest = -1;
    return steps.flatMap((c) => {
      const findings = [];
      if (!Number.isInteger(c.code) || c.code < bounds.Step.minimum || c.code > bounds.Step.maximum)
        findings.push(`#${c.seq} sends step ${c.code}`);
      if (c.code < highest)
        findings.push(
          should(
            `#${c.seq} step ${c.code} goes down from ${highest}`,
            'OneNET documents no order for steps and accepts this; its console then shows progress going back',
          ),
        );
      if (c.errno === ProgressErrno.InvalidOperation)
        findings.push(`#${c.seq} step ${c.code} while not downloading (errno 21)`);
      highest = Math.max(highest, c.code);
      return findings;
    });
  },
});
