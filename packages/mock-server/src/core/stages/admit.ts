import type { Context } from '../context.ts';
import { runDueEvents } from '../domain/scheduler.ts';
import { carriesAdminToken, notAdminAnswer } from '../http/admin-token.ts';
import type { CorsPolicy } from '../http/cors.ts';
import { crossSiteRefusal } from '../http/cross-site.ts';
import { devIdOf } from '../http/dev-id.ts';
import { isDeviceOperation } from '../http/device-operation.ts';
import { refusedUnread } from '../http/responses.ts';
import { type Route, route } from '../http/router.ts';
import { answersFile } from '../http/spec.ts';
import { deviceGeneration, unroutedAnswer } from '../http/unrouted.ts';
import type { NowOrLater } from '../now-or-later.ts';

// Stage 1 of a request (admit, read, authenticate, handle, validate, journal, shape): the operation it asks for, and
// whether the platform takes it at all. What is refused here is answered at once, and journaled when a device would
// look for it.

/** A request the platform takes: what its route says, for the stages after. */
export interface Admitted {
  early?: undefined;
  url: URL;
  route: Route;
  /** A HEAD served as its GET. */
  head: boolean;
  /** A `/__mock/` control call: kept out of the journal and of the scheduler. */
  control: boolean;
  /** A device's operation, answered in its own terms. */
  southbound: boolean;
}

/** An answer given before any handler ran, and what the journal keeps of it (nothing for a control call). */
export interface EarlyAnswer {
  early: true;
  response: NowOrLater<Response>;
  /** Journaled at once, complete: the device's own journal (and conformance case) shows the call. */
  journal?: { url: URL; note: string; devId?: number; route?: Route };
}

/** What the admit stage needs of the platform's options. */
export interface AdmitOptions {
  adminToken?: string;
  cors?: CorsPolicy;
}

/** Routes a request and lets it in, or answers it: no such operation, a HEAD of no file, no admin token, another site. */
export function admit(ctx: Context, options: AdmitOptions, request: Request, knownUrl?: URL): Admitted | EarlyAnswer {
  const url = knownUrl ?? new URL(request.url);
  // HEAD is GET without its body (RFC 9110 §9.3.2), routed as GET; only a file answers it (below).
  const head = request.method === 'HEAD';
  const matched = route(head ? 'GET' : request.method, url.pathname);
  const control = url.pathname.startsWith('/__mock/');
  // What was due by now (a scheduled start, a deadline) happens before a device's request is answered.
  if (!control) runDueEvents(ctx);
  if (!matched) {
    // No operation of the spec: answered in the caller's terms, and journaled unless it is a control path, with
    // the device its query names, so the device's own journal (and its conformance case) shows the call.
    const response = unroutedAnswer(request.method, url.pathname);
    if (control) return { early: true, response };
    const devId = deviceGeneration(url.pathname) ? devIdOf(url.searchParams) : undefined;
    const note = `no operation answers ${request.method} ${url.pathname}`;
    return { early: true, response, journal: devId === undefined ? { url, note } : { url, note, devId } };
  }
  if (head && !answersFile(matched.operationId)) return headRefused(url, control);
  const southbound = isDeviceOperation(matched.canonical);
  if (
    !southbound &&
    options.adminToken !== undefined &&
    !carriesAdminToken(request, url, matched.operationId, options.adminToken)
  )
    return { early: true, response: notAdminAnswer(request) };
  const crossSite = southbound ? undefined : crossSiteRefusal(request, url, options.cors ?? 'loopback');
  if (crossSite) return { early: true, response: refusedUnread(request, crossSite) };
  return { url, route: matched, head, control, southbound };
}

/** A HEAD for anything but a file: 405, `Allow: GET`, journaled (its GET might have changed state). */
function headRefused(url: URL, control: boolean): EarlyAnswer {
  const response = new Response(null, { status: 405, headers: { Allow: 'GET', 'Content-Length': '0' } });
  const note = 'HEAD is answered for package downloads only: this GET may change state';
  return control ? { early: true, response } : { early: true, response, journal: { url, note } };
}
