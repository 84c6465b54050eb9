import { DownloadErrorCode } from '@onenet-ota/openapi/protocol';
import type { TokenVerdict } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { verifyCached } from '../core/domain/device-auth.ts';
import { deviceTaskKeyOf, type TokenRecord } from '../core/domain/records.ts';
import { callOutcome } from '../core/domain/state-machine.ts';
import { fileOf } from '../core/domain/tasks.ts';
import { isExpired } from '../core/domain/tokens.ts';
import { errorByte } from '../core/http/responses.ts';
import { servePackage } from './serve-package.ts';

/**
 * `GET /ota/south/download/{token}` (protocol §2.4): the package, whole (200) or a range (206), streamed from the
 * stored bytes. Failures answer OneNET's one-byte body without Content-Length: 1 the file is gone, 2 its size
 * changed since the token was issued, 3 the token is not valid (unknown, replaced, expired, or its device done).
 */
export function downloadPackage(call: Call, ctx: Context): Response | Promise<Response> {
  const tokenText = call.route.params.token ?? '';
  const token = ctx.state.tokens.get(tokenText);
  if (token) call.devId = token.devId;
  if (!token || token.revoked)
    return refuse(call, DownloadErrorCode.InvalidToken, `token ${tokenText} was never issued or was revoked`);
  if (token.supersededBy)
    return refuse(call, DownloadErrorCode.InvalidToken, `token was replaced by ${token.supersededBy}`);
  if (isExpired(ctx, token)) return refuse(call, DownloadErrorCode.InvalidToken, 'token is older than its lifetime');
  const header = call.request.headers.get('authorization');
  // Authorization is optional here (the docs list none, the SDKs send one); when sent it must be valid. A header
  // verified before is answered at once: a fragment then costs no promise.
  if (header === null) return serveToken(call, ctx, token);
  const verdict = verifyCached(ctx, header);
  return verdict instanceof Promise
    ? verdict.then((known) => authorized(call, ctx, token, known))
    : authorized(call, ctx, token, verdict);
}

function refuse(call: Call, code: DownloadErrorCode, note: string): Response {
  call.errno = Number(code);
  call.note = note;
  return errorByte(code);
}

function authorized(call: Call, ctx: Context, token: TokenRecord, verdict: TokenVerdict): Response {
  call.auth = verdict.ok ? 'accepted' : 'refused';
  if (!verdict.ok) return refuse(call, DownloadErrorCode.InvalidToken, `Authorization refused: ${verdict.reason}`);
  return serveToken(call, ctx, token);
}

/** The package for a token that is valid: what its task and device allow. */
function serveToken(call: Call, ctx: Context, token: TokenRecord): Response {
  const deviceTask = ctx.state.deviceTasks.get(deviceTaskKeyOf(token));
  if (!deviceTask || !ctx.state.tasks.has(token.taskId))
    return refuse(call, DownloadErrorCode.ResourceNotFound, 'the task no longer exists');
  const outcome = callOutcome(deviceTask.state, 'downloadPackage');
  if (outcome.errorByte) return refuse(call, outcome.errorByte as DownloadErrorCode, `device is ${deviceTask.state}`);

  let file: ReturnType<typeof fileOf>;
  try {
    file = fileOf(ctx, token.taskId);
  } catch {
    return refuse(call, DownloadErrorCode.ResourceNotFound, 'the package was deleted');
  }
  const { record } = file;
  if (record.size !== token.file.size)
    return refuse(
      call,
      DownloadErrorCode.SizeMismatch,
      `package is ${record.size} bytes, the token was issued for ${token.file.size}`,
    );

  return servePackage(call, ctx, deviceTask, record);
}
