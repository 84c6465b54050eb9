import { Errno, FuseCode, type OperationId, OtaErrnoCode, operations } from '@onenet-ota/openapi/protocol';
import type { JournalEntry } from '../core/journal/journal.ts';

type BodySummary = NonNullable<JournalEntry['response']['body']>;

/**
 * What an answer the platform did not make says, in the journal's own terms, so a recorded call reads as the
 * platform's own do: `errno` (the envelope's `errno` or `code`, the one-byte error's digit, `Ota-Errno` on a
 * package, 0 for package bytes) and `auth` (refused when the answer is the generation's authentication failure,
 * accepted when a token was sent and the answer is not).
 */
export function answerFacts(
  operationId: OperationId | undefined,
  status: number,
  headers: Record<string, string>,
  body: BodySummary | undefined,
  authorization: string | undefined,
): Pick<JournalEntry, 'errno' | 'auth'> {
  if (!operationId) return {};
  const spec = operations[operationId] as { tag: string; errnoField?: string };
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const otaErrno = headers['ota-errno'];
  const json = body?.json as Record<string, unknown> | undefined;
  const field = json?.[spec.errnoField ?? 'errno'];
  let errno: number | undefined;
  if (typeof field === 'number') errno = field;
  else if (otaErrno !== undefined && /^\d+$/.test(otaErrno)) errno = Number(otaErrno);
  else if (type === 'text/plain' && body?.text && /^\d$/.test(body.text)) errno = Number(body.text);
  else if (type === 'application/octet-stream' && (status === 200 || status === 206)) errno = Errno.Success;
  const refusedCode = spec.tag === 'device-fuse' ? FuseCode.AuthFailed : Errno.AuthFailed;
  const refused = errno === refusedCode || otaErrno === String(OtaErrnoCode.AuthFailed);
  const judged = authorization !== undefined || refused;
  return {
    ...(errno === undefined ? {} : { errno }),
    ...(judged && errno !== undefined ? { auth: refused ? ('refused' as const) : ('accepted' as const) } : {}),
  };
}
