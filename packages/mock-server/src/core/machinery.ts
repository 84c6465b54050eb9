import { formatErrors } from '@onenet-ota/openapi/document';
import {
  CheckErrno,
  DownloadErrorCode,
  Errno,
  enumDescriptions,
  FuseCode,
  type OperationId,
  OtaErrnoCode,
} from '@onenet-ota/openapi/protocol';
import { mediaType } from '@onenet-ota/sdk';
import type { Call, Handler } from './call.ts';
import type { Context, DiffGenerator, PushFetch, Settings } from './context.ts';
import { builtinDiff, type DiffHow } from './domain/builtin-diffs.ts';
import { type Clock, type ClockMode, createClock } from './domain/clock.ts';
import { PlatformEvents } from './domain/events.ts';
import { newAccessKey } from './domain/ids.ts';
import { Persistence, restorePlatform, type StateStore } from './domain/persistence.ts';
import { startPushing } from './domain/push.ts';
import { emptyState, type PlatformState } from './domain/records.ts';
import { runDueEvents } from './domain/scheduler.ts';
import { seed } from './domain/seed.ts';
import { applyRequestFaults, shapeResponse } from './faults/actions.ts';
import { type Fault, FaultRegistry } from './faults/registry.ts';
import { allowsOrigin, type CorsPolicy, preflight, withCors } from './http/cors.ts';
import { crossSiteRefusal } from './http/cross-site.ts';
import { devIdOf } from './http/dev-id.ts';
import { answersOtaErrno, isDeviceOperation } from './http/device-operation.ts';
import { toleratedOmissions } from './http/input.ts';
import { RawHeaders } from './http/raw-headers.ts';
import { type ReadBody, readBody } from './http/request-body.ts';
import { requestDevice } from './http/request-device.ts';
import {
  capturedJson,
  envelope,
  errorByte,
  isSouthbound,
  jsonResponse,
  ProblemError,
  problem,
  requestId,
} from './http/responses.ts';
import { allowedMethods, type Route, route } from './http/router.ts';
import { operationSpec, specValidator } from './http/spec.ts';
import { headerFields, headerOf, plainResponse, takeWhole, wholeJson, wholeSize } from './http/whole-answer.ts';
import { HeldCall, jsonKeptBytes } from './journal/call-record.ts';
import { Journal, summarizeBody, type Tolerated } from './journal/journal.ts';
import { andThen, type NowOrLater } from './now-or-later.ts';

/** The built-in generator in process, plain VCDIFF only: `workerDiffs()` from the node door adds `vcdiff-lzma`. */
const inProcessDiffs: DiffGenerator = Object.assign(
  async (base: Uint8Array, target: Uint8Array, how: DiffHow) => builtinDiff(base, target, how),
  { formats: ['vcdiff'] as const },
);
/** Options of {@link createPlatform}. */
export interface PlatformOptions extends Partial<Settings> {
  /** `virtual` (default) stands still until moved; `real` follows the machine. Or a clock of your own. */
  clock?: ClockMode | Clock;
  /** Start of a virtual clock, Unix ms; the machine's time by default. */
  startAt?: number;
  /** `demo` loads a ready product, device, package and running task; `none` (default) starts empty. */
  seed?: 'demo' | 'none';
  /**
   * How online differential generation runs: in this thread by default (it holds the event loop while it
   * works); `workerDiffs()` from `@onenet-ota/mock-server/node` moves it to a worker thread.
   */
  generateDiff?: DiffGenerator;
  /**
   * The admin token the management API and `/__mock` require (`Authorization: Bearer …`); none by default, for a
   * platform only this machine can reach. `ota-mock` sets one whenever it listens beyond loopback.
   */
  adminToken?: string;
  /**
   * The demo seed's access keys: `published` (default), OneNET's test-vector product key and a fixed device key
   * that anyone can sign with; `generated`, new random ones, which `ota-mock` uses beyond loopback and prints.
   */
  demoKeys?: 'published' | 'generated';
  /**
   * Keeps the platform in a durable store (`openDataDir()` of `@onenet-ota/mock-server/node`): what it holds is
   * loaded instead of `seed`, and every change is written before its answer goes out. Memory only by default.
   */
  store?: StateStore;
  /**
   * Which web pages may call the platform from a browser (CORS): `loopback` (default) allows pages served from
   * this machine, `off` none, `*` every one, or a list of origins.
   */
  cors?: CorsPolicy;
  /**
   * How the platform reaches a product's push receiver (legacy §2.13): the global `fetch` by default. Pass your
   * own to keep a test in process or to route through a proxy.
   */
  pushFetch?: PushFetch;
  /** Waits before a failed push delivery is tried again: 1 s and 5 s by default (three attempts in all). */
  pushRetryDelaysMs?: readonly number[];
}

/** What an HTTP adapter may pass beside a request to {@link Platform.fetch}. */
export interface FetchExtra {
  /** The body of a GET, which a `Request` cannot hold but OneNET documents for `/ota/devInfo`. */
  body?: Uint8Array;
  /** The body of a GET did not come whole: why, as `incompleteBody` says it (answered 408, journaled). */
  bodyIncomplete?: string;
  /** The request's URL, when the adapter has parsed it already (the same as `request.url`). */
  url?: URL;
  /**
   * What the adapter served although the request broke HTTP's own rules, as OneNET's front tolerates it (lines
   * ended by LF alone): journaled under `tolerated` with what the platform tolerates itself.
   */
  tolerated?: readonly Tolerated[];
  /**
   * The adapter writes answers whose body the platform already holds in one call: it takes them with
   * `takeWhole(response)` and reports how the write ended. Others must leave this off and read the body.
   */
  wholeBodies?: boolean;
  /**
   * The caller reads answers only through the methods of `Response` (`json()`, `text()`, `arrayBuffer()`, `body`,
   * `clone()`, `headers`), never through another library's hold on its internals: a JSON answer may then stay the
   * platform's own, read from the text it was made of without a stream. The fleet simulator does, at hundreds of
   * thousands of answers a run.
   */
  lazyBodies?: boolean;
}

/** A mock OneNET OTA platform: a web-standard `fetch` plus handles on its clock, faults, journal and state. */
export interface Platform {
  /**
   * Answers one request, southbound, management or mock control, as `fetch` does. `extra.body` carries the body
   * of a GET, which a `Request` cannot hold but OneNET documents for `/ota/devInfo`; HTTP adapters pass it.
   */
  fetch(request: Request, extra?: FetchExtra): Promise<Response>;
  readonly clock: Clock;
  readonly faults: FaultRegistry;
  readonly journal: Journal;
  /** The live state; read it in tests, change it through the APIs. */
  readonly state: PlatformState;
  readonly settings: Settings;
  /** Task starts and device moves, for the doors that push (MQTT inform, the legacy receiver URL). */
  readonly events: PlatformEvents;
  /** The platform continued from what its store kept (false when new, or without a store). */
  readonly restored: boolean;
}

/**
 * One handler per canonical operation of the spec. The type makes a missing handler a compile error, so the
 * platform serves every operation the spec defines (aliases route to their canonical operation).
 */
export type Handlers = Record<Exclude<OperationId, `${string}Legacy`>, Handler>;

/**
 * The platform's machinery (routing, validation, faults, journal, clock) around a set of handlers. The feature
 * folders supply the handlers and `src/platform.ts` puts the two together, so `core/` depends on nothing above it.
 */
export function assemblePlatform(handlers: Handlers, options: PlatformOptions = {}): Platform {
  const clock =
    typeof options.clock === 'object' ? options.clock : createClock(options.clock ?? 'virtual', options.startAt);
  const settings: Settings = {
    rangeDialect: options.rangeDialect ?? 'onenet',
    tokenLifetimeMs: options.tokenLifetimeMs ?? 48 * 3600 * 1000,
    maxUploadBytes: options.maxUploadBytes ?? 64 * 1024 * 1024,
    maxJsonBytes: options.maxJsonBytes ?? 1024 * 1024,
    maxStorageBytes: options.maxStorageBytes ?? 1024 * 1024 * 1024,
    journalMaxBytes: options.journalMaxBytes ?? 64 * 1024 * 1024,
    validateResponses: options.validateResponses ?? 'off',
    journalLimit: options.journalLimit ?? 100_000,
    account: options.account ?? { uid: 1, accessKey: newAccessKey() },
    demoKeys: options.demoKeys ?? 'published',
    tokenRules: options.tokenRules ?? 'strict',
    diffFormat: options.diffFormat ?? 'vcdiff',
  };
  const generateDiff = options.generateDiff ?? inProcessDiffs;
  if (generateDiff.formats && !generateDiff.formats.includes(settings.diffFormat))
    throw new TypeError(
      `diffFormat ${settings.diffFormat} is not one the generator writes (${generateDiff.formats.join(', ')})`,
    );
  const ctx: Context = {
    generateDiff,
    state: emptyState(),
    clock,
    settings,
    journal: new Journal(settings.journalLimit, settings.journalMaxBytes),
    faults: new FaultRegistry(clock),
    snapshots: new Map(),
    events: new PlatformEvents(),
    pushFetch: options.pushFetch ?? ((request) => globalThis.fetch(request)),
  };
  const loaded = options.store?.load();
  if (loaded) restorePlatform(ctx, loaded);
  else seed(ctx, options.seed ?? 'none');
  startPushing(ctx, ctx.pushFetch, options.pushRetryDelaysMs);
  if (options.store) {
    ctx.journal.trackChanges();
    const persistence = new Persistence(ctx, options.store, loaded);
    ctx.persist = () => persistence.sync();
    ctx.persist();
  }
  return {
    restored: loaded !== undefined,
    fetch: (request, extra) => {
      try {
        const answer = answerRequest(ctx, handlers, options, request, extra);
        return answer instanceof Promise ? answer : Promise.resolve(answer);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    clock,
    faults: ctx.faults,
    journal: ctx.journal,
    state: ctx.state,
    settings,
    events: ctx.events,
  };
}

/** The answer to a request, CORS included; only an adapter that writes whole bodies itself sees the platform's own. */
function answerRequest(
  ctx: Context,
  handlers: Handlers,
  options: PlatformOptions,
  request: Request,
  extra: FetchExtra | undefined,
): NowOrLater<Response> {
  const plain = (response: Response) => (extra?.wholeBodies || extra?.lazyBodies ? response : plainResponse(response));
  const origin = request.headers.get('origin');
  if (!allowsOrigin(options.cors ?? 'loopback', origin))
    return andThen(dispatch(ctx, handlers, options, request, extra), plain);
  if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) return preflight(origin);
  return andThen(dispatch(ctx, handlers, options, request, extra), (response) => plain(withCors(response, origin)));
}

/**
 * Routes, reads, handles, journals and shapes one request. Synchronous unless a step must wait (a body to read, a
 * request fault, a handler that waits, response validation): a device's fragment is answered without a promise.
 */
function dispatch(
  ctx: Context,
  handlers: Handlers,
  options: PlatformOptions,
  request: Request,
  extra: FetchExtra = {},
): NowOrLater<Response> {
  const started = performance.now();
  const url = extra.url ?? new URL(request.url);
  // HEAD is GET without its body (RFC 9110 §9.3.2), routed as GET; only a file answers it (below).
  const head = request.method === 'HEAD';
  const matched = route(head ? 'GET' : request.method, url.pathname);
  const control = url.pathname.startsWith('/__mock/');
  if (!control) runDueEvents(ctx);
  if (!matched) return unrouted(ctx, request, url, control, started);
  if (head && !answersFile(matched.operationId)) return headRefused(ctx, request, url, control, started);
  const southbound = isDeviceOperation(matched.canonical);
  if (!southbound && options.adminToken !== undefined && !isAdmin(request, url, matched, options.adminToken))
    return notAdmin(request);
  const crossSite = southbound ? undefined : crossSiteRefusal(request, url, options.cors ?? 'loopback');
  if (crossSite) return refused(request, crossSite);
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
  return andThen(read, (body) => {
    if (body.incomplete !== undefined)
      return answerIncomplete(ctx, request, url, matched, control, started, body.incomplete);
    if (body.overflow && !southbound) {
      const what = takesFile ? 'uploads' : 'JSON bodies';
      return new ProblemError('PayloadTooLarge', `${what} are limited to ${limit} bytes`).toResponse();
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
    return andThen(handle(ctx, handlers, call), (response) =>
      journaled ? finish(ctx, call, response, started, extra) : persisted(ctx, call, response),
    );
  });
}

/** The handler's answer, or the request fault's; anything thrown becomes {@link failure}'s answer. */
function handle(ctx: Context, handlers: Handlers, call: Call): NowOrLater<Response> {
  const handler = handlers[call.route.canonical as keyof typeof handlers];
  try {
    const answered =
      call.faults.length > 0
        ? applyRequestFaults(ctx, call).then((faulted) => faulted ?? handler(call, ctx))
        : handler(call, ctx);
    return answered instanceof Promise ? answered.catch((error: unknown) => failure(error, call)) : answered;
  } catch (error) {
    return failure(error, call);
  }
}

/** Validates (when asked), journals and shapes a handled answer, and writes what it changed to a durable store. */
function finish(ctx: Context, call: Call, handled: Response, started: number, extra: FetchExtra): NowOrLater<Response> {
  const checked = ctx.settings.validateResponses !== 'off' ? checkResponse(call.route, handled) : handled;
  return andThen(checked, (response) =>
    andThen(recordAnswer(ctx, call, response, started), () => {
      // A streamed body changes the device's progress when it ends: that is written too.
      if (ctx.persist)
        call.onBodyEnd.push(() => {
          try {
            ctx.persist?.();
          } catch {
            // The store refused the write; the change stays marked and the next request's sync retries it.
          }
        });
      const mode = extra.wholeBodies ? 'whole' : extra.lazyBodies ? 'lazy' : 'plain';
      return persisted(ctx, call, shapeResponse(call, response, mode));
    }),
  );
}

/** A path no operation of the spec has: answered in the caller's terms, and journaled unless it is a control path. */
async function unrouted(
  ctx: Context,
  request: Request,
  url: URL,
  control: boolean,
  started: number,
): Promise<Response> {
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
  if (!control) {
    // Kept with the device its query names, so the device's own journal (and its conformance case) shows the call.
    const devId = device ? devIdOf(url.searchParams) : undefined;
    const note = `no operation answers ${request.method} ${url.pathname}`;
    await journalUnhandled(ctx, request, url, response, started, devId === undefined ? { note } : { note, devId });
  }
  return response;
}

/**
 * A body that did not come whole: no handler can judge half a report, so the platform answers 408 as OneNET's
 * nginx does (`client_body_timeout`), a problem saying how far the body got, and journals the call with its
 * operation and device, so the device's case shows a body shorter than its Content-Length.
 */
async function answerIncomplete(
  ctx: Context,
  request: Request,
  url: URL,
  route: Route,
  control: boolean,
  started: number,
  why: string,
): Promise<Response> {
  const response = problem('BodyIncomplete', why);
  if (control) return response;
  const devId = requestDevice(ctx.state, url, route);
  await journalUnhandled(ctx, request, url, response, started, {
    note: why,
    route,
    ...(devId === undefined ? {} : { devId }),
  });
  return response;
}

/**
 * Journals an answer no handler made (a path no operation answers, a refused HEAD, a body that never came whole):
 * complete at once.
 */
async function journalUnhandled(
  ctx: Context,
  request: Request,
  url: URL,
  response: Response,
  started: number,
  about: { note: string; devId?: number; route?: Route },
): Promise<void> {
  // Not shaped, so no body end will complete it: it is complete now.
  const call = { request, url, body: new Uint8Array(), faults: [], onBodyEnd: [], ...about };
  ctx.journal.complete(await recordAnswer(ctx, call, response, started));
}

/**
 * Whether an operation answers with a file (a package download): the one kind of GET a HEAD is served for, as a
 * device may ask a file's size before fetching it. Every other GET may change state (a check issues a token).
 */
function answersFile(operationId: OperationId): boolean {
  // Asked for HEADs only, of a spec read once (`operationSpec` keeps it): no cache of its own.
  return Object.values(operationSpec(operationId).responses).some((media) => 'application/octet-stream' in media);
}

/** A HEAD for anything but a file: 405, `Allow: GET`, journaled (its GET might have changed state). */
async function headRefused(
  ctx: Context,
  request: Request,
  url: URL,
  control: boolean,
  started: number,
): Promise<Response> {
  const response = new Response(null, { status: 405, headers: { Allow: 'GET', 'Content-Length': '0' } });
  const note = 'HEAD is answered for package downloads only: this GET may change state';
  if (!control) await journalUnhandled(ctx, request, url, response, started, { note });
  return response;
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
 * With a durable store, writes what the request changed before the answer goes out: an acknowledged write is on
 * disk. If the store fails, the answer says so (as any platform failure) rather than claim what was not kept.
 */
function persisted(ctx: Context, call: Call, response: Response): Response {
  if (!ctx.persist) return response;
  try {
    ctx.persist();
    return response;
  } catch (error) {
    takeWhole(response)?.end({ bytesSent: 0, aborted: true });
    void response.body?.cancel();
    return failure(error, call);
  }
}

// Bad input is answered by handlers; anything thrown is a platform bug: answered in the protocol's terms (every
// errno table has 7, "OneNET internal error"), and journaled with what was thrown, so tests can fail on it.
function failure(error: unknown, call: Call): Response {
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

/** With `validateResponses: 'error'`, a JSON answer that breaks the spec becomes a 500 naming the violations. */
async function checkResponse(matched: Route, response: Response): Promise<Response> {
  const type = headerOf(response, 'content-type') ?? '';
  if (!type.includes('json')) return response;
  const pointer = operationSpec(matched.operationId).responses[String(response.status)]?.[mediaType(type) ?? ''];
  const body: unknown = await response.clone().json();
  const validate = pointer ? specValidator().at(pointer) : undefined;
  if (validate?.(body)) return response;
  const detail = validate
    ? `the ${response.status} answer of ${matched.operationId} breaks the spec: ${formatErrors(validate)}`
    : `${matched.operationId} has no ${response.status} ${type} answer in the spec`;
  return problem('Internal', detail);
}

/**
 * Journals the call, and summarises a body the platform does not hold (a one-byte download error) from a clone
 * before any body fault acts on it. Only that needs waiting for.
 */
function recordAnswer(
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
  if (mediaType(contentType) === 'application/octet-stream') held.streamed = true;
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
const noBody = { bytes: new Uint8Array(), overflow: false };

/** Headers as a flat list, [name, value, …]: Node's own list when the request came through the node door. */
function headerList(headers: Headers): readonly string[] {
  if (headers instanceof RawHeaders) return headers.raw;
  const list: string[] = [];
  for (const [name, value] of headers) list.push(name, value);
  return list;
}
