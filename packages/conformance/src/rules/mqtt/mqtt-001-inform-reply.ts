import { ExchangeName, mqttOta } from '@onenet-ota/openapi/protocol';
import { defineRule } from '../../define-rule.ts';
import { calls } from '../../evidence.ts';

const withinMs = mqttOta.replyWithinSeconds * 1000;

export default defineRule({
  id: 'MQTT-001',
  title: 'ota/inform is answered within 20 s, then the task is checked',
  ref: '§4.6',
  level: 'MUST',
  requires: ['mqtt'],
  generations: { only: ['fuse'], why: 'only the new platform informs devices over MQTT' },
  description:
    'The task starts while the device listens on MQTT (subscribed to `$sys/{pid}/{device-name}/ota/inform`, after a check that found nothing, or after 2 s for a device that waits for the inform alone). The platform publishes `ota/inform`; the device answers on `ota/inform_reply` with the inform\'s `id` and a numeric `code` within 20 s ("需在 20s 内回复"), then checks for the task over HTTP.',
  scenario: { mqtt: true, notStarted: true, triggers: [{ when: { listening: true }, do: 'start' }] },
  needs: ['checked', 'scenario', 'answered-inform'],
  check({ journal }) {
    const inform = calls(journal, ExchangeName.OtaInform)[0];
    if (!inform) return ['the platform published no ota/inform: the task never started while the device listened'];
    if (inform.note?.startsWith('not delivered'))
      return [`#${inform.seq} ${inform.note}: the device was not listening when the task started`];
    const findings: string[] = [];
    if (inform.durationMs > withinMs)
      findings.push(
        `#${inform.seq} the reply took ${Math.round(inform.durationMs)} ms, more than ${withinMs / 1000} s`,
      );
    else if (inform.note) findings.push(`#${inform.seq} the reply is wrong: ${inform.note}`);
    const checked = calls(journal, 'checkTask').find((e) => e.seq > inform.seq);
    if (!checked) findings.push(`nothing checked for the task after the inform (#${inform.seq})`);
    return findings;
  },
});
