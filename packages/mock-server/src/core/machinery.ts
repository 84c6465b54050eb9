import { DiffFormat, type OperationId } from '@onenet-ota/openapi/protocol';
import type { Call, Handler } from './call.ts';
import type { Context, DiffGenerator, PushFetch, Settings } from './context.ts';
import { builtinDiff, type DiffHow } from './domain/builtin-diffs.ts';
import { type Clock, type ClockMode, createClock } from './domain/clock.ts';
import { PlatformEvents } from './domain/events.ts';
import { newAccessKey } from './domain/ids.ts';
import { Persistence, restorePlatform, type StateStore } from './domain/persistence.ts';
import { startPushing } from './domain/push.ts';
import { emptyState, type PlatformState } from './domain/records.ts';
import { seed } from './domain/seed.ts';
import { FaultRegistry } from './faults/registry.ts';
import { allowsOrigin, type CorsPolicy, preflight, withCors } from './http/cors.ts';
import { plainResponse } from './http/whole-answer.ts';
import { Journal, type Tolerated } from './journal/journal.ts';
import { andThen, type NowOrLater } from './now-or-later.ts';
import { admit, type EarlyAnswer } from './stages/admit.ts';
import { authenticate } from './stages/authenticate.ts';
import { type HandlerOf, handle } from './stages/handle.ts';
import { answerEarly, journalAnswer } from './stages/journal.ts';
import { type ReadCall, readCall } from './stages/read.ts';
import { type AnswerMode, persisted, shape, unshaped } from './stages/shape.ts';
import { validate } from './stages/validate.ts';

/** The built-in generator in process, plain VCDIFF only: `workerDiffs()` from the node door adds `vcdiff-lzma`. */
const inProcessDiffs: DiffGenerator = Object.assign(
  async (base: Uint8Array, target: Uint8Array, how: DiffHow) => builtinDiff(base, target, how),
  { formats: [DiffFormat.Vcdiff] },
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
  const handlerOf: HandlerOf = (operation) => handlers[operation as keyof Handlers];
  return {
    restored: loaded !== undefined,
    fetch: (request, extra) => {
      try {
        const answer = answerRequest(ctx, handlerOf, options, request, extra);
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
  handlerOf: HandlerOf,
  options: PlatformOptions,
  request: Request,
  extra: FetchExtra | undefined,
): NowOrLater<Response> {
  const plain = (response: Response) => (extra?.wholeBodies || extra?.lazyBodies ? response : plainResponse(response));
  const origin = request.headers.get('origin');
  if (!allowsOrigin(options.cors ?? 'loopback', origin))
    return andThen(dispatch(ctx, handlerOf, options, request, extra), plain);
  if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) return preflight(origin);
  return andThen(dispatch(ctx, handlerOf, options, request, extra), (response) => plain(withCors(response, origin)));
}

/**
 * One request through the platform's stages, each in its own file under `stages/`: admit (route, refusals), read
 * (body, the Call), authenticate, handle (faults, handler), validate, journal, shape (body faults, persistence).
 * Synchronous unless a stage must wait (a body to read, a token not seen before, a request fault, a handler that
 * waits, response validation): a device's check or fragment is answered without a promise, and without a closure
 * per stage (each step below is called directly when the stage before answered now).
 */
function dispatch(
  ctx: Context,
  handlerOf: HandlerOf,
  options: PlatformOptions,
  request: Request,
  extra: FetchExtra = {},
): NowOrLater<Response> {
  const started = performance.now();
  const mode = extra.wholeBodies ? 'whole' : extra.lazyBodies ? 'lazy' : 'plain';
  const admitted = admit(ctx, options, request, extra.url);
  // Refused by admit, or by read (a body that never came whole): either way answered early, in one place below.
  const read = admitted.early ? admitted : readCall(ctx, request, admitted, extra);
  if (read instanceof Promise) return read.then((r) => afterRead(ctx, handlerOf, request, r, started, mode));
  return afterRead(ctx, handlerOf, request, read, started, mode);
}

/** A call past the read stage, and what the stages after it share. */
interface Passage {
  ctx: Context;
  handlerOf: HandlerOf;
  call: Call;
  journaled: boolean;
  started: number;
  mode: AnswerMode;
}

function afterRead(
  ctx: Context,
  handlerOf: HandlerOf,
  request: Request,
  read: ReadCall | EarlyAnswer,
  started: number,
  mode: AnswerMode,
): NowOrLater<Response> {
  if (read.early) return andThen(answerEarly(ctx, request, read, started), (r) => unshaped(r, mode));
  const passage: Passage = { ctx, handlerOf, call: read.call, journaled: read.journaled, started, mode };
  const judged = authenticate(ctx, read.call);
  return judged instanceof Promise ? judged.then(() => afterAuthenticate(passage)) : afterAuthenticate(passage);
}

function afterAuthenticate(passage: Passage): NowOrLater<Response> {
  const handled = handle(passage.ctx, passage.handlerOf, passage.call);
  return handled instanceof Promise ? handled.then((r) => afterHandle(passage, r)) : afterHandle(passage, handled);
}

function afterHandle(passage: Passage, handled: Response): NowOrLater<Response> {
  const { ctx, call } = passage;
  if (!passage.journaled) return unshaped(persisted(ctx, call, handled), passage.mode, call);
  const checked = validate(ctx, call, handled);
  return checked instanceof Promise ? checked.then((r) => afterValidate(passage, r)) : afterValidate(passage, checked);
}

function afterValidate(passage: Passage, response: Response): NowOrLater<Response> {
  const { ctx, call, started, mode } = passage;
  const held = journalAnswer(ctx, call, response, started);
  return held instanceof Promise ? held.then(() => shape(ctx, call, response, mode)) : shape(ctx, call, response, mode);
}
