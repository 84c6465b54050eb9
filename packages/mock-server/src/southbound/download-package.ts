import { DownloadErrorCode, Errno } from '@onenet-ota/sdk';
import { rangeStream } from '../core/body.ts';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { decideRange } from '../core/range.ts';
import { deviceTaskKey } from '../core/records.ts';
import { errorByte } from '../core/responses.ts';
import { callOutcome } from '../core/state-machine.ts';
import { fileOf } from '../core/tasks.ts';
import { isExpired } from '../core/tokens.ts';
import { changed } from '../core/tracked-map.ts';
import { verifyCached } from './authenticate.ts';

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

  const ignoreRange = call.faults.some((f) => f.action.kind === 'ignore-range');
  const decision = ignoreRange
    ? { kind: 'whole' as const }
    : decideRange(call.request.headers.get('range'), record.size, ctx.settings.rangeDialect);
  if (decision.kind === 'unsatisfiable') {
    call.errno = Errno.Success;
    return new Response(null, {
      status: 416,
      headers: { 'Content-Range': `bytes */${record.size}`, 'Content-Type': 'text/plain', 'Content-Length': '0' },
    });
  }
  let [start, end] = decision.kind === 'partial' ? [decision.start, decision.end] : [0, record.size - 1];
  const shift = call.faults.find((f) => f.action.kind === 'wrong-content-range')?.action as
    | { shift: number }
    | undefined;
  if (shift && decision.kind === 'partial') {
    // Serve another range than asked, and say so: only a device that compares Content-Range notices.
    const length = end - start;
    start = Math.min(Math.max(0, start + shift.shift), record.size - 1 - length);
    end = start + length;
  }

  // A request after an interrupted one, or for bytes already served, is a retry the task's status counts.
  if (deviceTask.downloadInterrupted || start < deviceTask.servedUpTo) deviceTask.retriesUsed++;
  deviceTask.downloadInterrupted = false;
  call.bodyOffset = start;
  call.onBodyEnd.push(({ bytesSent, aborted }) => {
    deviceTask.servedUpTo = Math.max(deviceTask.servedUpTo, start + bytesSent);
    if (aborted) deviceTask.downloadInterrupted = true;
    changed(ctx.state.deviceTasks, deviceTaskKey(token.taskId, token.devId));
  });
  call.errno = Errno.Success;

  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(end - start + 1),
    'Content-Disposition': `attachment; filename="${record.fileName}"`,
  };
  if (decision.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${record.size}`;
  return new Response(rangeStream(record.bytes, start, end), {
    status: decision.kind === 'partial' ? 206 : 200,
    headers,
  });
}
