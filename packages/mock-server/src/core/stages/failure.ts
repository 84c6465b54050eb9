import { DownloadErrorCode, Errno, OtaErrnoCode } from '@onenet-ota/openapi/protocol';
import type { Call } from '../call.ts';
import { answersOtaErrno } from '../http/device-operation.ts';
import { envelope, errorByte, isSouthbound, ProblemError, problem } from '../http/responses.ts';

// Bad input is answered by handlers; anything thrown is a platform bug: answered in the protocol's terms (every
// errno table has 7, "OneNET internal error"), and journaled with what was thrown, so tests can fail on it.
export function failure(error: unknown, call: Call): Response {
  if (error instanceof ProblemError) return error.toResponse();
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  call.exception = detail;
  const operation = call.route.canonical;
  if (isSouthbound(operation)) {
    call.errno = Errno.InternalError;
    const response = envelope(operation, Errno.InternalError);
    // A Studio or new-platform download says in Ota-Errno that no file came ("获取文件失败").
    if (answersOtaErrno(operation)) response.headers.set('Ota-Errno', String(OtaErrnoCode.SizeMismatch));
    return response;
  }
  if (operation === 'downloadPackage') return errorByte(DownloadErrorCode.FetchFailed);
  return problem('Internal', detail.split('\n')[0] ?? detail);
}
