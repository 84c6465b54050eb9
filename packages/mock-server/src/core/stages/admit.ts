import { CheckErrno, enumDescriptions, FuseCode, type OperationId } from '@onenet-ota/openapi/protocol';
import type { Context } from '../context.ts';
import { runDueEvents } from '../domain/scheduler.ts';
import type { CorsPolicy } from '../http/cors.ts';
import { crossSiteRefusal } from '../http/cross-site.ts';
import { devIdOf } from '../http/dev-id.ts';
import { isDeviceOperation } from '../http/device-operation.ts';
import { capturedJson, jsonResponse, ProblemError, problem, requestId } from '../http/responses.ts';
import { allowedMethods, type Route, route } from '../http/router.ts';
import { operationSpec } from '../http/spec.ts';
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
  if (!matched) return unrouted(request, url, control);
  if (head && !answersFile(matched.operationId)) return headRefused(url, control);
  const southbound = isDeviceOperation(matched.canonical);
  if (!southbound && options.adminToken !== undefined && !isAdmin(request, url, matched, options.adminToken))
    return { early: true, response: notAdmin(request) };
  const crossSite = southbound ? undefined : crossSiteRefusal(request, url, options.cors ?? 'loopback');
  if (crossSite) return { early: true, response: refused(request, crossSite) };
  return { url, route: matched, head, control, southbound };
}

/** A path no operation of the spec has: answered in the caller's terms, and journaled unless it is a control path. */
function unrouted(request: Request, url: URL, control: boolean): EarlyAnswer {
  // A device's path, doubled slashes included (a base URL ending in `/`): answered in the device's own envelope,
  // which names the path as sent.
  const generation = /^\/+(ota|fuse-ota)\//.exec(url.pathname)?.[1];
  const device = generation !== undefined;
  const allow = allowedMethods(url.pathname);
  const response =
    allow.length > 0
      ? wrongMethod(request.method, url.pathname, allow, device ? generation === 'fuse-ota' : undefined)
      : device
        ? unknownDevicePath(request.method, url.pathname, generation === 'fuse-ota')
        : problem('NotFound', `no operation of the spec answers ${request.method} ${url.pathname}`);
  if (control) return { early: true, response };
  // Kept with the device its query names, so the device's own journal (and its conformance case) shows the call.
  const devId = device ? devIdOf(url.searchParams) : undefined;
  const note = `no operation answers ${request.method} ${url.pathname}`;
  return { early: true, response, journal: devId === undefined ? { url, note } : { url, note, devId } };
}

/** A HEAD for anything but a file: 405, `Allow: GET`, journaled (its GET might have changed state). */
function headRefused(url: URL, control: boolean): EarlyAnswer {
  const response = new Response(null, { status: 405, headers: { Allow: 'GET', 'Content-Length': '0' } });
  const note = 'HEAD is answered for package downloads only: this GET may change state';
  return control ? { early: true, response } : { early: true, response, journal: { url, note } };
}

/**
 * Whether an operation answers with a file (a package download): the one kind of GET a HEAD is served for, as a
 * device may ask a file's size before fetching it. Every other GET may change state (a check issues a token).
 */
function answersFile(operationId: OperationId): boolean {
  // Asked for HEADs only, of a spec read once (`operationSpec` keeps it): no cache of its own.
  return Object.values(operationSpec(operationId).responses).some((media) => 'application/octet-stream' in media);
}

/** A refusal before the request is read: its body is let go unread. */
async function refused(request: Request, problem: ProblemError): Promise<Response> {
  await request.body?.cancel().catch(() => {});
  return problem.toResponse();
}

/** A management or control call without the admin token, on a platform that listens beyond loopback. */
async function notAdmin(request: Request): Promise<Response> {
  const answer = await refused(
    request,
    new ProblemError(
      'Unauthorized',
      'this platform listens beyond loopback: send Authorization: Bearer <admin token> (printed at start)',
    ),
  );
  answer.headers.set('WWW-Authenticate', 'Bearer realm="ota-mock"');
  return answer;
}

/**
 * A path under `/ota/` that no device operation has is answered in the device's dialect, the errno envelope a
 * device parses (errno 2, with a 404 status), not a problem document it cannot read (DECISIONS 56).
 */
function unknownDevicePath(method: string, path: string, fuse: boolean): Response {
  const why = `no OneNET OTA device operation answers ${method} ${path}`;
  // A device parses its own generation's envelope: the new platform's devices read `code` and `msg`.
  if (fuse) {
    const msg = `${enumDescriptions.FuseCode[String(FuseCode.BadRequest) as keyof typeof enumDescriptions.FuseCode]}: ${why}`;
    return jsonResponse({ code: FuseCode.BadRequest, msg, request_id: requestId() }, 404, capturedJson);
  }
  const error = `${enumDescriptions.CheckErrno[String(CheckErrno.BadRequest) as keyof typeof enumDescriptions.CheckErrno]}: ${why}`;
  return jsonResponse({ errno: CheckErrno.BadRequest, error }, 404);
}

/**
 * A path some operation answers, asked with another method: 405 with `Allow`, as OneNET's nginx front answers
 * (DECISIONS 84); a device's path in its generation's envelope, any other path a problem.
 */
function wrongMethod(method: string, path: string, allow: string[], fuse: boolean | undefined): Response {
  const why = `${path} answers ${allow.join(', ')}, not ${method}`;
  const response =
    fuse === undefined
      ? problem('MethodNotAllowed', why)
      : fuse
        ? jsonResponse(
            {
              code: FuseCode.BadRequest,
              msg: `${enumDescriptions.FuseCode[String(FuseCode.BadRequest) as keyof typeof enumDescriptions.FuseCode]}: ${why}`,
              request_id: requestId(),
            },
            405,
            capturedJson,
          )
        : jsonResponse(
            {
              errno: CheckErrno.BadRequest,
              error: `${enumDescriptions.CheckErrno[String(CheckErrno.BadRequest) as keyof typeof enumDescriptions.CheckErrno]}: ${why}`,
            },
            405,
          );
  response.headers.set('Allow', allow.join(', '));
  return response;
}

/**
 * Whether the request carries the admin token: `Authorization: Bearer <token>`, or, for what a browser opens
 * without headers (operations whose security lists `adminTokenQuery`: the console and its event stream),
 * `?access_token=<token>`.
 */
function isAdmin(request: Request, url: URL, matched: Route, token: string): boolean {
  if (sameSecret(request.headers.get('authorization') ?? '', `Bearer ${token}`)) return true;
  const query = url.searchParams.get('access_token');
  return query !== null && operationSpec(matched.operationId).acceptsQueryToken && sameSecret(query, token);
}

/** Compares a secret without an early exit. */
function sameSecret(sent: string, expected: string): boolean {
  let difference = sent.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= (sent.charCodeAt(i) || 0) ^ expected.charCodeAt(i);
  return difference === 0;
}
