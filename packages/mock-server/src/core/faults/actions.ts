import { Errno, operations } from '@onenet-ota/openapi/protocol';
import { type Call, endListeners } from '../call.ts';
import type { Context } from '../context.ts';
import { activeDeviceTask, fileOf } from '../domain/tasks.ts';
import { tokenFor } from '../domain/tokens.ts';
import { type BodyShape, shapeBody } from '../http/answer-body.ts';
import { answersOtaErrno } from '../http/device-operation.ts';
import { envelope, errorByte, isErrnoOf, isSouthbound, jsonResponse, problemBody } from '../http/responses.ts';
import { awaitWholeEnd, headerOf, WholeAnswer, wholeJson, wholeSize } from '../http/whole-answer.ts';

// What each fault kind does to a request: before the handler (delays, state changes, answers that replace the
// handler's) and to the body on its way out. The registry beside this file decides which faults fire.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Faults that act before the handler: delays, state changes, and answers that replace the handler's. */
export async function applyRequestFaults(ctx: Context, call: Call): Promise<Response | undefined> {
  for (const { action } of call.faults) {
    switch (action.kind) {
      case 'delay':
        await sleep(action.ms);
        break;
      case 'revoke-token':
      case 'rotate-token':
        changeToken(ctx, call, action.kind);
        break;
      case 'replace-package':
        replacePackage(ctx, call, action.packageId);
        break;
      case 'status':
        call.note = `fault: HTTP ${action.status}`;
        return statusFault(call, action.status);
      case 'errno': {
        const operation = call.route.canonical;
        if (isSouthbound(operation) && isErrnoOf(operation, action.errno)) {
          call.errno = action.errno;
          call.note = `fault: errno ${action.errno}`;
          return envelope(operation, action.errno);
        }
        break;
      }
      case 'ota-errno': {
        const operation = call.route.canonical;
        if (answersOtaErrno(operation) && isSouthbound(operation) && isErrnoOf(operation, Errno.InternalError)) {
          call.errno = Errno.InternalError;
          call.note = `fault: Ota-Errno ${action.code}`;
          const refusal = envelope(operation, Errno.InternalError);
          refusal.headers.set('Ota-Errno', String(action.code));
          return refusal;
        }
        break;
      }
      case 'error-byte':
        if (call.route.canonical === 'downloadPackage') {
          call.errno = Number(action.code);
          call.note = `fault: error byte ${action.code}`;
          return errorByte(action.code);
        }
        break;
    }
  }
  return undefined;
}

// Southbound answers carry no body (spec: `Unavailable`); management answers a problem (spec: `ServerError`).
function statusFault(call: Call, status: number): Response {
  if (operations[call.route.canonical].tag.startsWith('device')) {
    return new Response(null, { status, headers: { 'Content-Length': '0' } });
  }
  const detail = `a status fault answered ${status}`;
  return jsonResponse(problemBody('Internal', detail, status), status, 'application/problem+json');
}

function changeToken(ctx: Context, call: Call, kind: 'revoke-token' | 'rotate-token'): void {
  if (call.devId === undefined) return;
  for (const module of ['fota', 'sota'] as const) {
    const active = activeDeviceTask(ctx, call.devId, module);
    const current = active?.deviceTask.token ? ctx.state.tokens.get(active.deviceTask.token) : undefined;
    if (!active || !current) continue;
    if (kind === 'revoke-token') current.revoked = true;
    else tokenFor(ctx, active.deviceTask, true);
  }
}

// Swaps the bytes behind the device's task for another package's: the md5 the device was given no longer fits.
function replacePackage(ctx: Context, call: Call, packageId: string): void {
  const replacement = ctx.state.packages.get(packageId);
  if (call.devId === undefined || !replacement) return;
  for (const module of ['fota', 'sota'] as const) {
    const active = activeDeviceTask(ctx, call.devId, module);
    if (!active) continue;
    const file = fileOf(ctx, active.task.id).record;
    Object.assign(file, { bytes: replacement.bytes, size: replacement.size, md5: replacement.md5 });
  }
}

/**
 * Body faults (reset, truncate, stall, throttle, corrupt) and byte accounting on the way out. `mode` is what the
 * caller of `platform.fetch` takes: `whole` bytes it writes itself, `lazy` answers it reads only through their
 * methods, or `plain` Responses (see FetchExtra).
 */
export function shapeResponse(call: Call, response: Response, mode: 'whole' | 'lazy' | 'plain' = 'plain'): Response {
  const shape: BodyShape = {};
  // A chunked answer is a JSON one only: a fragment without Content-Length would read as OneNET's one-byte error.
  const chunked =
    call.faults.some((f) => f.action.kind === 'chunked') && (headerOf(response, 'content-type') ?? '').includes('json');
  for (const { action } of call.faults) {
    if (action.kind === 'reset') shape.resetAfter = action.afterBytes;
    if (action.kind === 'truncate') shape.truncateAfter = action.afterBytes;
    if (action.kind === 'stall') shape.stall = { afterBytes: action.afterBytes, ms: action.ms };
    if (action.kind === 'throttle') shape.bytesPerSecond = action.bytesPerSecond;
    if (action.kind === 'corrupt')
      shape.corrupt = { from: action.atByte - (call.bodyOffset ?? 0), count: action.count ?? 1 };
  }
  const ended = endListeners(call);
  // A HEAD: the GET's status and headers, Content-Length included, and no body (RFC 9110 §9.3.2).
  if (call.head) {
    ended({ bytesSent: 0, aborted: false });
    return new Response(null, { status: response.status, headers: response.headers });
  }
  // Nothing to shape and bytes the adapter can write whole: it reports the end itself (core/http/whole-answer.ts).
  // Checked before `body` is touched, which would make the stream this path exists to avoid.
  const unshaped = call.faults.length === 0 || (Object.keys(shape).length === 0 && !chunked);
  if (mode === 'whole' && unshaped && response instanceof WholeAnswer) {
    awaitWholeEnd(response, ended);
    return response;
  }
  // In process, bytes nothing shapes: a package range goes out as one stream over them that counts what was read;
  // a JSON answer is complete as soon as it exists (a few hundred bytes no reader stops halfway). Wrapping either
  // in a second stream to count cost more than the answer (the fleet makes hundreds of thousands).
  if (unshaped && response instanceof WholeAnswer) {
    if (wholeJson(response) === undefined) return response.toCountedResponse(ended);
    ended({ bytesSent: wholeSize(response) ?? 0, aborted: false });
    return mode === 'lazy' ? response : response.toResponse();
  }
  if (!response.body) return response;
  const body = shapeBody(response.body, shape, ended);
  const headers = new Headers(response.headers);
  if (chunked) {
    headers.delete('content-length');
    headers.set('Transfer-Encoding', 'chunked');
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
