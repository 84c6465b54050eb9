import type { ErrnoOf, SouthboundOperation } from '@onenet-ota/openapi/protocol';
import type { Call } from '../../core/call.ts';
import { answer } from '../answer.ts';

/**
 * Answers a Studio or new-platform call with a code of its dialect. The code is checked against the operation's
 * table when the envelope is made (a code the spec does not list there throws, and tests fail on it).
 */
export function reply(
  call: Call,
  operationId: SouthboundOperation,
  code: number,
  detail: { note?: string; data?: unknown } = {},
): Response {
  return answer(call, operationId, code as ErrnoOf<SouthboundOperation>, detail);
}
