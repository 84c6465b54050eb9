import { ExchangeName, enumDescriptions, ThingReplyCode } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import type { Journal } from '../core/journal/journal.ts';
import { summarizeBody } from '../core/journal/journal.ts';
import { publishEntry } from './publish-entry.ts';

type ThingReply = components['schemas']['ThingReply'];

/**
 * Answers a thing-model post as OneNET does (protocol §4.7): the post's `id`, code 200, "success"; a payload that
 * is no JSON object with a string `id` gets 400 (inferred). A desired/get gets empty `data`: no desired values are
 * kept. The exchange is one journal entry (`thingPost`): the device's PUBLISH as its request, the reply as its answer.
 */
export function answerThingPost(
  journal: Journal,
  now: number,
  devId: number,
  topic: string,
  payload: Uint8Array,
): ThingReply {
  let post: unknown;
  try {
    post = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    post = undefined;
  }
  const id = typeof post === 'object' && post !== null ? (post as { id?: unknown }).id : undefined;
  const taken = typeof id === 'string';
  const code = taken ? ThingReplyCode.Success : ThingReplyCode.InvalidPayload;
  const reply: ThingReply = {
    id: taken ? id : typeof id === 'number' ? String(id) : '',
    code,
    msg: enumDescriptions.ThingReplyCode[code],
    ...(taken && topic.endsWith('/desired/get') ? { data: {} } : {}),
  };
  const replyBytes = new TextEncoder().encode(JSON.stringify(reply));
  const entry = journal.add({
    ...publishEntry(now, devId, ExchangeName.ThingPost, topic, payload),
    response: {
      status: reply.code,
      headers: {},
      bytesSent: replyBytes.length,
      body: summarizeBody(replyBytes, 'application/json'),
    },
    ...(taken ? {} : { note: 'the post is not a JSON object with a string id (OneJSON: "id":"123")' }),
  });
  journal.complete(entry);
  return reply;
}
