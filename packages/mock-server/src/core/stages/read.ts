import type { Call } from '../call.ts';
import type { Context } from '../context.ts';
import { toleratedOmissions } from '../http/input.ts';
import { type ReadBody, readBody } from '../http/request-body.ts';
import { requestDevice } from '../http/request-device.ts';
import { ProblemError, problem } from '../http/responses.ts';
import { operationSpec } from '../http/spec.ts';
import type { Tolerated } from '../journal/journal.ts';
import { andThen, type NowOrLater } from '../now-or-later.ts';
import type { Admitted, EarlyAnswer } from './admit.ts';

// Stage 2 of a request (admit, read, authenticate, handle, validate, journal, shape): its body, within the operation's
// limit, and the Call the later stages carry: the device it is about, what was tolerated, the faults that fire for it.

/** What the door passes beside the request that this stage reads (`FetchExtra`). */
export interface ReadExtra {
  body?: Uint8Array;
  bodyIncomplete?: string;
  tolerated?: readonly Tolerated[];
}

/** A request read whole: its Call, and whether the journal keeps it. */
export interface ReadCall {
  early?: undefined;
  call: Call;
  journaled: boolean;
}

/**
 * Reads an admitted request into a Call. Synchronous for a request with no body (most device calls); a body that
 * does not come whole is answered 408 here, as OneNET's nginx does (`client_body_timeout`).
 */
export function readCall(
  ctx: Context,
  request: Request,
  admitted: Admitted,
  extra: ReadExtra,
): NowOrLater<ReadCall | EarlyAnswer> {
  const { url, route: matched, head, control, southbound } = admitted;
  // Package and patch uploads may be large; every other body is a small JSON document.
  const takesFile = 'application/octet-stream' in operationSpec(matched.operationId).requestBody;
  const limit = takesFile ? ctx.settings.maxUploadBytes : ctx.settings.maxJsonBytes;
  // A GET has no body to wait for (most device calls): no read, no wait.
  const read: NowOrLater<ReadBody> = extra.bodyIncomplete
    ? { bytes: noBody.bytes, overflow: false, incomplete: extra.bodyIncomplete }
    : extra.body
      ? { bytes: extra.body, overflow: false }
      : request.body || takesFile
        ? readBody(request, limit, takesFile)
        : noBody;
  return andThen(read, (body): ReadCall | EarlyAnswer => {
    if (body.incomplete !== undefined) {
      // No handler can judge half a report: 408, a problem saying how far the body got, journaled with its
      // operation and device so the device's case shows a body shorter than its Content-Length.
      const response = problem('BodyIncomplete', body.incomplete);
      if (control) return { early: true, response };
      const devId = requestDevice(ctx.state, url, matched);
      const about = { url, note: body.incomplete, route: matched };
      return { early: true, response, journal: devId === undefined ? about : { ...about, devId } };
    }
    if (body.overflow && !southbound) {
      const what = takesFile ? 'uploads' : 'JSON bodies';
      return {
        early: true,
        response: new ProblemError('PayloadTooLarge', `${what} are limited to ${limit} bytes`).toResponse(),
      };
    }
    const call: Call = { request, url, route: matched, body: body.bytes, faults: [], onBodyEnd: [] };
    if (head) call.head = true;
    if (body.md5) call.bodyMd5 = body.md5;
    // A device's oversized body is answered in its own terms: the handler finds no body and says errno 2.
    if (body.overflow) call.note = `the body is larger than ${limit} bytes; it was not read`;
    const omitted = southbound ? toleratedOmissions(matched.operationId, url, request.headers) : undefined;
    const tolerated = extra.tolerated ? [...extra.tolerated, ...(omitted ?? [])] : omitted;
    if (tolerated && tolerated.length > 0) call.tolerated = tolerated;
    if (!control) {
      call.devId = requestDevice(ctx.state, url, matched);
      // A HEAD sends no bytes for a fault to shape: the fault waits for the download.
      if (ctx.faults.size > 0 && !head)
        call.faults = ctx.faults.fire({ devId: call.devId, operations: [matched.operationId, matched.canonical] });
    }
    // The web console's own reads (`X-Ota-Console`) are left out of the journal, like control calls: they would
    // bury the device's requests in the request log every time the console refreshes.
    const journaled = !control && !(request.method === 'GET' && !southbound && request.headers.has('x-ota-console'));
    return { call, journaled };
  });
}

const noBody = { bytes: new Uint8Array(), overflow: false };
