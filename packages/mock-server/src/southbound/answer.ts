import type { ErrnoOf, SouthboundOperation } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import { envelope } from '../core/http/responses.ts';

/**
 * Answers a southbound call with an errno of its operation's table (and `data` on success), noting for the
 * journal the errno and, for a refusal, why in words.
 */
export function answer<Op extends SouthboundOperation>(
  call: Call,
  operationId: Op,
  errno: ErrnoOf<Op>,
  detail: { note?: string; data?: unknown } = {},
): Response {
  call.errno = errno;
  if (detail.note) call.note = detail.note;
  return envelope(operationId, errno, detail.data);
}
