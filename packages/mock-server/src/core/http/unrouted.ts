import { CheckErrno, enumDescriptions, FuseCode } from '@onenet-ota/openapi/protocol';
import { capturedJson, jsonResponse, problem, requestId } from './responses.ts';
import { allowedMethods } from './router.ts';

// What a request no operation of the spec takes is answered: the method a path does answer (405), or no such path
// (404), each in the caller's own terms: a device's path in its generation's envelope, any other a problem.

/**
 * The answer to `method path` when no operation of the spec takes it. A device's path, doubled slashes included (a
 * base URL ending in `/`), is answered in the device's own envelope, which names the path as sent.
 */
export function unroutedAnswer(method: string, path: string): Response {
  const generation = deviceGeneration(path);
  const allow = allowedMethods(path);
  if (allow.length > 0)
    return wrongMethod(method, path, allow, generation === undefined ? undefined : generation === 'fuse-ota');
  if (generation) return unknownDevicePath(method, path, generation === 'fuse-ota');
  return problem('NotFound', `no operation of the spec answers ${method} ${path}`);
}

/** The device generation whose paths `path` is under: `ota` (legacy and Studio), `fuse-ota` (the new platform). */
export function deviceGeneration(path: string): 'ota' | 'fuse-ota' | undefined {
  return /^\/+(ota|fuse-ota)\//.exec(path)?.[1] as 'ota' | 'fuse-ota' | undefined;
}

/**
 * A path under `/ota/` that no device operation has is answered in the device's dialect, the errno envelope a
 * device parses (errno 2, with a 404 status), not a problem document it cannot read (DECISIONS 56).
 */
function unknownDevicePath(method: string, path: string, fuse: boolean): Response {
  return deviceRefusal(fuse, `no OneNET OTA device operation answers ${method} ${path}`, 404);
}

/**
 * A path some operation answers, asked with another method: 405 with `Allow`, as OneNET's nginx front answers
 * (DECISIONS 84); a device's path in its generation's envelope, any other path a problem.
 */
function wrongMethod(method: string, path: string, allow: string[], fuse: boolean | undefined): Response {
  const why = `${path} answers ${allow.join(', ')}, not ${method}`;
  const response = fuse === undefined ? problem('MethodNotAllowed', why) : deviceRefusal(fuse, why, 405);
  response.headers.set('Allow', allow.join(', '));
  return response;
}

/**
 * "Bad request" in the envelope a device parses, with why after the code's own text: the new platform's devices
 * read `code` and `msg`, legacy and Studio devices `errno` and `error`.
 */
function deviceRefusal(fuse: boolean, why: string, status: number): Response {
  if (fuse) {
    const msg = `${enumDescriptions.FuseCode[String(FuseCode.BadRequest) as keyof typeof enumDescriptions.FuseCode]}: ${why}`;
    return jsonResponse({ code: FuseCode.BadRequest, msg, request_id: requestId() }, status, capturedJson);
  }
  const error = `${enumDescriptions.CheckErrno[String(CheckErrno.BadRequest) as keyof typeof enumDescriptions.CheckErrno]}: ${why}`;
  return jsonResponse({ errno: CheckErrno.BadRequest, error }, status);
}
