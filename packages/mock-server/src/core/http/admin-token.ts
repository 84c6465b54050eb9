import type { OperationId } from '@onenet-ota/openapi/protocol';
import { ProblemError, refusedUnread } from './responses.ts';
import { operationSpec } from './spec.ts';

// The admin token of a platform that listens beyond loopback (`--admin-token`): what management and control calls
// must carry there.

/**
 * Whether the request carries the admin token: `Authorization: Bearer <token>`, or, for what a browser opens
 * without headers (operations whose security lists `adminTokenQuery`: the console and its event stream),
 * `?access_token=<token>`.
 */
export function carriesAdminToken(request: Request, url: URL, operationId: OperationId, token: string): boolean {
  if (sameSecret(request.headers.get('authorization') ?? '', `Bearer ${token}`)) return true;
  const query = url.searchParams.get('access_token');
  return query !== null && operationSpec(operationId).acceptsQueryToken && sameSecret(query, token);
}

/** Compares a secret without an early exit. */
function sameSecret(sent: string, expected: string): boolean {
  let difference = sent.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= (sent.charCodeAt(i) || 0) ^ expected.charCodeAt(i);
  return difference === 0;
}

/** A management or control call without the admin token, on a platform that listens beyond loopback. */
export async function notAdminAnswer(request: Request): Promise<Response> {
  const answer = await refusedUnread(
    request,
    new ProblemError(
      'Unauthorized',
      'this platform listens beyond loopback: send Authorization: Bearer <admin token> (printed at start)',
    ),
  );
  answer.headers.set('WWW-Authenticate', 'Bearer realm="ota-mock"');
  return answer;
}
