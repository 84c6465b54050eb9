import { mqttOta } from './generated/protocol.ts';

/**
 * The new platform's OTA topics for one device (protocol §4.6, `x-onenet-mqtt`): where the platform informs it of
 * a task, and where it replies.
 *
 * @example
 * informTopics('123123', 'bench-01').inform; // '$sys/123123/bench-01/ota/inform'
 */
export function informTopics(productId: string, deviceName: string): { inform: string; reply: string } {
  const fill = (topic: string) => topic.replace('{pid}', productId).replace('{device-name}', deviceName);
  return { inform: fill(mqttOta.inform.topic), reply: fill(mqttOta.reply.topic) };
}
