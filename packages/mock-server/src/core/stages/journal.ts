import { isMediaType } from '@onenet-ota/sdk';
import type { Call } from '../call.ts';
import type { Context } from '../context.ts';
import type { Fault } from '../faults/registry.ts';
import { isDeviceOperation } from '../http/device-operation.ts';
import { RawHeaders } from '../http/raw-headers.ts';
import type { Route } from '../http/router.ts';
import { operationSpec } from '../http/spec.ts';
import { headerFields, headerOf, wholeJson, wholeSize } from '../http/whole-answer.ts';
import { HeldCall, jsonKeptBytes } from '../journal/call-record.ts';
import { summarizeBody } from '../journal/journal.ts';
import type { EarlyAnswer } from './admit.ts';

// Stage 6 of a request (admit, read, authenticate, handle, validate, journal, shape): the call is kept in the journal,
// completed when its body has gone out. An answer given before a handler ran (no route, a refused HEAD, a body that
// never came whole) is journaled here too, complete at once.

/** Journals an answer given early, when it says so, then gives it. */
export async function answerEarly(
  ctx: Context,
  request: Request,
  early: EarlyAnswer,
  started: number,
): Promise<Response> {
  const response = await early.response;
  const about = early.journal;
  if (!about) return response;
  // Not shaped, so no body end will complete it: it is complete now.
  const { url, ...rest } = about;
  const call = { request, url, body: new Uint8Array(), faults: [], onBodyEnd: [], ...rest };
  ctx.journal.complete(await journalAnswer(ctx, call, response, started));
  return response;
}

/**
 * Journals the call, and summarises a body the platform does not hold (a one-byte download error) from a clone
 * before any body fault acts on it. Only that needs waiting for.
 */
export function journalAnswer(
  ctx: Context,
  call: Omit<Call, 'route'> & { route?: Route },
  response: Response,
  started: number,
): HeldCall | Promise<HeldCall> {
  const held = record(ctx, call, response, started);
  if (held.streamed || held.responseJson !== undefined || held.responseBody || !response.body) return held;
  const contentType = headerOf(response, 'content-type');
  return response
    .clone()
    .arrayBuffer()
    .then((bytes) => {
      held.responseBody = summarizeBody(new Uint8Array(bytes), contentType);
      return held;
    });
}

/**
 * Journals the call as a {@link HeldCall}: the parts it was answered from, made into an entry when read. Bytes
 * sent, aborts and the duration are completed when the body has gone out.
 */
function record(
  ctx: Context,
  call: Omit<Call, 'route'> & { route?: Route },
  response: Response,
  started: number,
): HeldCall {
  const contentType = headerOf(response, 'content-type');
  const fields = headerFields(response);
  const held = new HeldCall({
    time: ctx.clock.now(),
    wallTime: Date.now(),
    operation: call.route?.operationId ?? null,
    method: call.request.method,
    href: call.url.href,
    requestHeaders: headerList(call.request.headers),
    status: response.status,
    responseHeaders: fields instanceof Headers ? headerList(fields) : fields,
    faults: call.faults.length === 0 ? noFaults : call.faults.map((f: Fault) => f.id),
  });
  held.durationMs = performance.now() - started;
  held.devId = call.devId;
  held.errno = call.errno;
  held.note = call.note;
  held.auth = call.auth;
  held.tolerated = call.tolerated;
  held.exception = call.exception;
  held.rangeRule = call.rangeRule;
  if (call.body.length > 0) {
    const contentType = call.request.headers.get('content-type');
    // A device's JSON report is read as JSON whatever its type: the journal keeps what the platform read.
    const readAsJson =
      contentType?.includes('json') ||
      (call.route !== undefined &&
        isDeviceOperation(call.route.canonical) &&
        'application/json' in operationSpec(call.route.operationId).requestBody);
    held.requestBody = summarizeBody(call.body, contentType, call.bodyMd5, readAsJson);
  }
  const json = wholeJson(response);
  if (isMediaType(contentType, 'application/octet-stream')) held.streamed = true;
  else if (json !== undefined && contentType) {
    const size = wholeSize(response) ?? 0;
    // Device envelopes hold no key; management answers may (a product's access key), redacted when read.
    held.redactJson = !(call.route !== undefined && isDeviceOperation(call.route.canonical));
    if (size <= jsonKeptBytes) held.responseJson = json;
    else held.responseBody = { size, contentType };
  }
  // Held once what it keeps is known, so the journal counts its JSON against the journal's size.
  ctx.journal.hold(held);
  call.onBodyEnd.push(({ bytesSent, aborted }) => {
    held.durationMs = performance.now() - started;
    held.bytesSent = bytesSent;
    if (aborted) held.aborted = true;
    ctx.journal.complete(held);
  });
  return held;
}

const noFaults: readonly string[] = [];

/** Headers as a flat list, [name, value, …]: Node's own list when the request came through the node door. */
function headerList(headers: Headers): readonly string[] {
  if (headers instanceof RawHeaders) return headers.raw;
  const list: string[] = [];
  for (const [name, value] of headers) list.push(name, value);
  return list;
}
