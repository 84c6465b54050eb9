import { DownloadErrorCode } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { deviceTaskKey } from '../core/records.ts';
import { errorByte } from '../core/responses.ts';
import { callOutcome } from '../core/state-machine.ts';
import { fileOf } from '../core/tasks.ts';
import { isExpired } from '../core/tokens.ts';
import { verifyCached } from './authenticate.ts';
import { servePackage } from './serve-package.ts';

/**
 * `GET /ota/south/download/{token}` (protocol §2.4): the package, whole (200) or a range (206), streamed from the
 * stored bytes. Failures answer OneNET's one-byte body without Content-Length: 1 the file is gone, 2 its size
 * changed since the token was issued, 3 the token is not valid (unknown, replaced, expired, or its device done).
 */
export async function downloadPackage(call: Call, ctx: Context): Promise<Response> {
  const tokenText = call.route.params.token ?? '';
  const token = ctx.state.tokens.get(tokenText);
  if (token) call.devId = token.devId;
  const refuse = (code: DownloadErrorCode, note: string) => {
    call.errno = Number(code);
    call.note = note;
    return errorByte(code);
  };
  if (!token || token.revoked)
    return refuse(DownloadErrorCode.InvalidToken, `token ${tokenText} was never issued or was revoked`);
  if (token.supersededBy) return refuse(DownloadErrorCode.InvalidToken, `token was replaced by ${token.supersededBy}`);
  if (isExpired(ctx, token)) return refuse(DownloadErrorCode.InvalidToken, 'token is older than its lifetime');
  const header = call.request.headers.get('authorization');
  if (header !== null) {
    // Authorization is optional here (the docs list none, the SDKs send one); when sent it must be valid.
    const verdict = await verifyCached(ctx, header);
    call.auth = verdict.ok ? 'accepted' : 'refused';
    if (!verdict.ok) return refuse(DownloadErrorCode.InvalidToken, `Authorization refused: ${verdict.reason}`);
  }
  const deviceTask = ctx.state.deviceTasks.get(deviceTaskKey(token.taskId, token.devId));
  if (!deviceTask || !ctx.state.tasks.has(token.taskId))
    return refuse(DownloadErrorCode.ResourceNotFound, 'the task no longer exists');
  const outcome = callOutcome(deviceTask.state, 'downloadPackage');
  if (outcome.errorByte) return refuse(outcome.errorByte as DownloadErrorCode, `device is ${deviceTask.state}`);

  let file: ReturnType<typeof fileOf>;
  try {
    file = fileOf(ctx, token.taskId);
  } catch {
    return refuse(DownloadErrorCode.ResourceNotFound, 'the package was deleted');
  }
  const { record } = file;
  if (record.size !== token.file.size)
    return refuse(
      DownloadErrorCode.SizeMismatch,
      `package is ${record.size} bytes, the token was issued for ${token.file.size}`,
    );

  return servePackage(call, ctx, deviceTask, record);
}
