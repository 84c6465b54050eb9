import { mqttOta } from '@onenet-ota/openapi/protocol';

/**
 * The new platform's OTA topics for one device (protocol §4.6, `x-onenet-mqtt`): where the platform informs it of
 * a task, and where it replies.
 *
 * @example
 * informTopics('123123', 'bench-01').inform; // '$sys/123123/bench-01/ota/inform'
 */
export function informTopics(productId: string, deviceName: string): { inform: string; reply: string } {
  const fill = filler(productId, deviceName);
  return { inform: fill(mqttOta.inform.topic), reply: fill(mqttOta.reply.topic) };
}

/**
 * The thing-model uplinks the platform answers for one device (protocol §4.7, `x-onenet-mqtt.thingPosts`): each
 * topic a device posts to, and the topic the platform replies on.
 *
 * @example
 * thingPostTopics('123123', 'bench-01')[0]?.reply; // '$sys/123123/bench-01/thing/property/post/reply'
 */
export function thingPostTopics(productId: string, deviceName: string): { post: string; reply: string }[] {
  const fill = filler(productId, deviceName);
  const { topics, replySuffix } = mqttOta.thingPosts;
  return topics.map((topic) => ({ post: fill(topic), reply: fill(topic) + replySuffix }));
}

function filler(productId: string, deviceName: string): (topic: string) => string {
  return (topic) => topic.replace('{pid}', productId).replace('{device-name}', deviceName);
}
