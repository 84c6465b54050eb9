import type { OperationId } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import { envelope } from '../core/responses.ts';

/**
 * Answers a southbound call with an errno (and `data` on success), noting for the journal the errno and, for a
 * refusal, why in words.
 */
export function answer(
  call: Call,
  operationId: OperationId,
  errno: number,
  detail: { note?: string; data?: unknown } = {},
): Response {
  call.errno = errno;
  if (detail.note) call.note = detail.note;
  return envelope(operationId, errno, detail.data);
}
