/// <reference types="node" preserve="true" />
/**
 * @module
 * The node:http door of the mock platform, for a real device on the bench or a process under test.
 */
// The reference above is kept in the published node.d.ts (`preserve`): TypeScript 7 includes no `@types` package a
// program does not name, and this entry's types are Node's (node:http, Buffer).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { operations } from '@onenet-ota/openapi/protocol';
import { allowedHosts, isDevicePath } from './allowed-hosts.ts';
import { ConnectionSlots } from './connection-slots.ts';
import type { DiffGenerator } from './core/context.ts';
import { builtinFormats, type DiffHow } from './core/domain/builtin-diffs.ts';
import { RawHeaders } from './core/http/raw-headers.ts';
import { incompleteBody } from './core/http/request-body.ts';
import { problem, problemBody } from './core/http/responses.ts';
import { allowedMethods, route } from './core/http/router.ts';
import { headerFields, headerOf, takeWhole } from './core/http/whole-answer.ts';
import { bareLineFeedsTolerated } from './core/http/wire-tolerance.ts';
import type { FetchExtra, Platform } from './core/machinery.ts';
import { type DoorConnection, DoorConnections } from './door-connection.ts';
import { Gathered } from './gathered-chunks.ts';
import { platformDate } from './http-date.ts';
import { tolerateBareLineFeeds } from './line-endings.ts';
import { nodeRequest } from './node-request.ts';
import { createPlatform } from './platform.ts';
import { endThisTurn } from './turn-writes.ts';
import { answerUnreadable, journalRefused, type ParserError } from './unreadable-request.ts';
import { forward, type Upstream } from './upstream/forward.ts';

export { DataDirError, openDataDir } from './data-dir.ts';
export type { DiffCommandOptions } from './diff-command.ts';
export { commandDiffs } from './diff-command.ts';
export { fleetReport, fleetSummary } from './fleet/report.ts';
export type { FleetOptions, FleetResult, FleetSample } from './fleet/run-fleet.ts';
export { runFleet } from './fleet/run-fleet.ts';
export type { MqttBrokerOptions, RunningBroker } from './mqtt/broker.ts';
export { startMqttBroker } from './mqtt/broker.ts';
export type { RunningSntpServer, SntpServerOptions } from './sntp.ts';
export { startSntpServer } from './sntp.ts';
export type { Authority, ServerCredentials } from './tls/authority.ts';
export { defaultAuthorityDir, issueServerCertificate, loadOrCreateAuthority } from './tls/authority.ts';
export type { Upstream } from './upstream/forward.ts';

/**
 * A diff generator on a worker thread, for `createPlatform({ generateDiff: workerDiffs() })`: online diff
 * generation (seconds for large images) then never holds the platform's event loop, so devices keep being
 * answered and the job is seen `running`. Jobs run one after another on one worker, started when first needed;
 * an idle worker does not keep the process alive.
 *
 * @example
 * const platform = createPlatform({ seed: 'demo', generateDiff: workerDiffs() });
 */
export function workerDiffs(): DiffGenerator {
  return Object.assign(onWorker(), { formats: builtinFormats });
}

function onWorker(): (base: Uint8Array, target: Uint8Array, how: DiffHow) => Promise<Uint8Array> {
  let worker: Worker | undefined;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (patch: Uint8Array) => void; reject: (error: Error) => void }>();
  const start = () => {
    // The worker is a file beside this one: TypeScript in the workspace, JavaScript once published.
    const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    const started = new Worker(new URL(`./diff-worker.${extension}`, import.meta.url));
    started.on('message', ({ id, patch, error }: { id: number; patch?: Uint8Array; error?: string }) => {
      const job = waiting.get(id);
      waiting.delete(id);
      if (waiting.size === 0) started.unref();
      if (patch) job?.resolve(new Uint8Array(patch.buffer, patch.byteOffset, patch.byteLength));
      else job?.reject(new Error(error ?? 'the diff worker failed'));
    });
    started.on('error', (error) => {
      for (const job of waiting.values()) job.reject(error);
      waiting.clear();
      worker = undefined;
    });
    return started;
  };
  return (base, target, how) =>
    new Promise((resolve, reject) => {
      worker ??= start();
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      // A job in progress keeps the process alive; an idle worker does not.
      worker.ref();
      // Copied, not transferred: the platform keeps its packages.
      worker.postMessage({ id, base, target, how });
    });
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** `127.0.0.1` by default; `0.0.0.0` for a device on the LAN. */
  host?: string;
  /** 8787 by default; 0 picks a free port. */
  port?: number;
  /** The platform to serve; a new empty one by default. */
  platform?: Platform;
  /**
   * Requests one connection may carry before the server closes it: 1000, as OneNET does ("在一次TCP连接中的请求数
   * 上限为1000，超过这个上限会断开TCP连接"), so a device that never reconnects fails here as it would there.
   */
  maxRequestsPerConnection?: number;
  /**
   * Open connections served at once: 1024 by default. Past the cap, the oldest connection with no request in
   * progress, of the peer holding the most such, is closed to make room (`connection-slots.ts`); when every
   * connection is in a request, the newcomer gets a 503 problem (`busy`) to its first request and is closed,
   * rather than being dropped unanswered.
   */
  maxConnections?: number;
  /**
   * How long a connection may take to send a request's line and headers, from when it opens: 10 s by default
   * (over TLS, the handshake too). One that sends nothing, or its headers a byte at a time, is then answered 408
   * and closed: such connections held every slot for minutes (issue 28). Between requests on a kept-alive
   * connection, `keepAliveMs` applies instead.
   */
  headersTimeoutMs?: number;
  /**
   * More `Host` names the management API, `/__mock` and the console answer to, besides IP addresses, `localhost`
   * and `host` (`allowed-hosts.ts`); `.example.com` allows the domain and its subdomains. Device paths answer any.
   */
  allowedHosts?: readonly string[];
  /**
   * Serve HTTPS with this certificate and key (PEM) instead of HTTP, as OneNET's C SDK does by default (TLS on
   * 443). `ota-mock --tls` issues them from a CA of this machine (`loadOrCreateAuthority`, `issueServerCertificate`).
   */
  tls?: { cert: string; key: string };
  /**
   * How long a request body may go silent before it is answered 408 (`body-incomplete`) and journaled: 30 s by
   * default (OneNET's nginx waits 60 s, `client_body_timeout`). A device whose Content-Length counts bytes it never
   * sends learns it here instead of waiting out Node's 300 s request timeout with nothing in the journal.
   */
  bodyTimeoutMs?: number;
  /**
   * How long an idle keep-alive connection is kept: 75 s by default, nginx's `keepalive_timeout`. Node's own 5 s
   * closed the connection of a device that pauses between fragments (to write flash, to wait for a better signal)
   * and then reuses it, which the field's nginx keeps.
   */
  keepAliveMs?: number;
  /**
   * Forward device calls (`/ota/…`, `/fuse-ota/…`) to this upstream and journal each exchange (the recording
   * proxy, `ota-mock --upstream`); management, `/__mock` and the console stay this platform's.
   */
  upstream?: Upstream;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port` (`https://` with `tls`), with the port actually bound. */
  url: string;
  platform: Platform;
  server: Server;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

/**
 * Serves a platform over HTTP/1.1 the way the smallest embedded clients read it: canonical header names
 * (`Content-Length`, not `content-length`), few headers, and the one-byte download error ended by closing the
 * connection instead of chunked encoding. A `reset` fault resets the TCP connection for real.
 *
 * @example
 * const { url, close } = await startServer({ platform: createPlatform({ seed: 'demo' }), port: 0 });
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const {
    host = '127.0.0.1',
    port = 8787,
    platform = createPlatform({ generateDiff: workerDiffs() }),
    maxRequestsPerConnection = 1000,
    maxConnections = 1024,
    tls,
    bodyTimeoutMs = 30_000,
    keepAliveMs = 75_000,
    headersTimeoutMs = 10_000,
    allowedHosts: names = [],
  } = options;
  const hostAllowed = allowedHosts(host, names);
  const connections = new DoorConnections();
  // Connections whose lines end with LF alone, served as OneNET's nginx serves them (line-endings.ts).
  const lenient = new WeakSet<Socket>();
  const slots = new ConnectionSlots(maxConnections);
  const date = platformDate(platform.clock);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (slots.isOver(req.socket)) {
      res.shouldKeepAlive = false;
      // A device gets OneNET's bodiless 503 (retry per the task's policy); everyone else a problem.
      const matched = route(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/');
      const busy =
        matched && operations[matched.canonical].tag.startsWith('device')
          ? new Response(null, { status: 503, headers: { 'Content-Length': '0' } })
          : problem('Busy', `the platform serves ${maxConnections} connections at once`);
      void send(res, busy, req, date);
      return;
    }
    slots.busy(req.socket);
    // A response finishes and closes once: `on`, not `once`, spares a wrapper and its removal a request.
    res.on('finish', () => slots.waiting(req.socket));
    // Node's own maxRequestsPerSocket answers 503 past the limit; OneNET closes the connection, so do that.
    const connection = connections.of(req.socket);
    if (++connection.served >= maxRequestsPerConnection) {
      res.shouldKeepAlive = false;
      res.setHeader('Connection', 'close');
    }
    const answering =
      options.upstream && isDevicePath(pathOf(req.url))
        ? forward(platform, options.upstream, req, res)
        : serve(platform, req, res, connection, bodyTimeoutMs, lenient.has(req.socket), date, hostAllowed);
    answering.catch((error: unknown) => {
      // A failure of this adapter itself: an answer while one can still be given, a reset only mid-body.
      if (res.headersSent) return res.destroy();
      void send(res, problem('Internal', error instanceof Error ? error.message : String(error)), req, date).catch(() =>
        res.destroy(),
      );
    });
  };
  // Node checks its connections' header deadlines every connectionsCheckingInterval: each second, not each 30 s.
  const timeouts = { headersTimeout: headersTimeoutMs, connectionsCheckingInterval: 1000 };
  const server: Server = tls
    ? createTlsServer(
        { ...tls, ...tlsOptions, ...httpOptions, ...timeouts, handshakeTimeout: headersTimeoutMs },
        handler,
      )
    : createServer({ ...httpOptions, ...timeouts }, handler);
  server.keepAliveTimeout = keepAliveMs;
  // A connection silent past the header timeout before its first line: answered as Node answers a late head.
  const closeReading = tolerateBareLineFeeds(
    server,
    tls ? 'secureConnection' : 'connection',
    lenient,
    headersTimeoutMs,
    (socket) => answerUnreadable(platform, requestTimeout, socket, false),
  );
  // A request Node's parser refuses gets a problem naming what is wrong, and a journal entry, not a bare 400.
  server.on('clientError', (error: ParserError, socket: Socket) =>
    answerUnreadable(platform, error, socket, lenient.has(socket)),
  );
  // Node closes a CONNECT's connection unanswered unless someone listens: it gets its 501, said and journaled.
  server.on('connect', (req: IncomingMessage, socket: Socket) => refuseTunnel(platform, req, socket));
  // Over TLS the cap counts handshaken connections: a client that never completes one holds no request.
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => slots.accept(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
    platform,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        closeReading();
      }),
  };
}

/** What Node's parser reports for a head that did not come in time; the first-line reader says the same. */
const requestTimeout = Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }) as ParserError;

/** What every request on a connection whose lines end with LF alone tells the platform. */
const lineFeedsTolerated = [bareLineFeedsTolerated];

// An HTTP/1.1 request without Host is refused by the door itself, explained and journaled (`requestUrl`).
const httpOptions = { requireHostHeader: false } as const;

// TLS 1.2 and 1.3 only, as OneNET's endpoints and mbedTLS defaults; Node's default cipher list covers both.
const tlsOptions = { minVersion: 'TLSv1.2' } as const;

async function serve(
  platform: Platform,
  req: IncomingMessage,
  res: ServerResponse,
  connection: DoorConnection,
  bodyTimeoutMs: number,
  bareLineFeeds: boolean,
  date: () => string,
  hostAllowed: (hostname: string) => boolean,
): Promise<void> {
  // Node's own `req.headers` object is never made: the raw list is read once, here and by the platform.
  connection.sameAuthorization(req.rawHeaders);
  const headers = new RawHeaders(req.rawHeaders);
  const url = requestUrl(req, headers, connection);
  if (!(url instanceof URL)) {
    // Parsed by Node, refused here (no Host, a TRACE, a Host that is no host): an answer that says why, and an entry
    // in the device's journal.
    const refusal = problem(url.problem, url.detail);
    if (url.allow !== undefined) refusal.headers.set('Allow', url.allow);
    const answerHeaders = Object.fromEntries(refusal.headers);
    const { method = '', url: target = '/', rawHeaders } = req;
    journalRefused(platform, { method, target, rawHeaders, status: refusal.status, answerHeaders, note: url.detail });
    // nginx keeps no connection after a 400 or a 501: what comes next on it may be framed as wrongly.
    res.shouldKeepAlive = false;
    res.setHeader('Connection', 'close');
    await send(res, refusal, req, date);
    return;
  }
  if (!isDevicePath(url.pathname) && !hostAllowed(url.hostname)) {
    const refusal = problem(
      'Forbidden',
      `Host ${url.hostname} is not a name of this platform; if it is yours, start ota-mock with --allowed-host ${url.hostname}`,
    );
    await send(res, refusal, req, date);
    return;
  }
  const request = nodeRequest(req, url, headers, isBodiless(req) ? null : bodyStream(req, bodyTimeoutMs));
  const extra: FetchExtra = bareLineFeeds
    ? { wholeBodies: true, url, tolerated: lineFeedsTolerated }
    : { wholeBodies: true, url };
  const getBody = isBodiless(req) && hasBody(headers) ? await readGetBody(req, headers, bodyTimeoutMs) : undefined;
  const withBody =
    getBody === undefined
      ? extra
      : typeof getBody === 'string'
        ? { ...extra, bodyIncomplete: getBody }
        : { ...extra, body: getBody };
  await send(res, await platform.fetch(request, withBody), req, date);
}

/**
 * Writes a web Response to Node's response: headers by their canonical names, `Date` in platform time, the body as
 * it streams.
 */
async function send(res: ServerResponse, response: Response, req: IncomingMessage, date: () => string): Promise<void> {
  if (!req.complete) {
    // The platform stopped reading a body (too large): answer, then close instead of draining the rest.
    res.shouldKeepAlive = false;
    res.setHeader('Connection', 'close');
    lingerOnClose(req);
  }
  // One raw list for writeHead: setting headers one by one costs Node a lookup table per answer.
  const raw: string[] = ['Date', date()];
  const fields = headerFields(response);
  if (fields instanceof Headers) for (const [name, value] of fields) raw.push(canonical(name), value);
  else for (const name in fields) raw.push(canonical(name), fields[name] as string);
  const declared = headerOf(response, 'content-length');
  // A `chunked` fault's answer: Node frames it in chunks, as the header asks, and keeps the connection.
  if (declared === null && headerOf(response, 'transfer-encoding') !== 'chunked') {
    // No length: end the body by closing the connection (what OneNET's one-byte error needs), never chunked.
    res.useChunkedEncodingByDefault = false;
    res.shouldKeepAlive = false;
    // Once: the one-byte error answer names it already (issue 29: it went out twice).
    if (headerOf(response, 'connection') !== 'close') raw.push('Connection', 'close');
  }
  res.writeHead(response.status, raw);
  // Before `body` is touched: reading it would make the stream the whole-body path exists to avoid.
  const whole = takeWhole(response);
  if (whole) {
    // Bytes the platform holds (or a JSON answer's text, which Node writes with the headers in one string), written
    // in one call with the turn's other answers (turn-writes.ts); the end is reported as a stream's would be.
    const { body, size, end } = whole;
    res.on('close', () => {
      const aborted = !res.writableFinished;
      end({ bytesSent: aborted ? 0 : size, aborted });
    });
    endThisTurn(res, body);
    return;
  }
  if (!response.body) {
    endThisTurn(res);
    return;
  }
  const reader = response.body.getReader();
  res.on('close', () => {
    // The body may already have failed (a reset fault); cancelling it then has nothing left to say.
    if (!res.writableFinished) reader.cancel(new Error('client went away')).catch(() => {});
  });
  let written = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      written += value.length;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
    }
  } catch {
    // A `reset` fault errored the body: let the bytes already written reach the peer, then reset the connection
    // as a dropped link would (an immediate RST would make the kernel discard them).
    await new Promise<void>((resolve) => res.write(new Uint8Array(0), () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    req.socket.resetAndDestroy();
    return;
  }
  if (declared !== null && written < Number(declared)) {
    // A `truncate` fault: the body ended early although its length was announced; the peer sees a short read.
    res.socket?.end();
    res.socket?.destroy();
    return;
  }
  res.end();
}

/**
 * Closes a connection whose request body was not read to its end as nginx does (`lingering_close`): the answer, a
 * FIN, then what the client still sends is read and dropped until it closes too, for at most 2 s. Closing at once
 * with unread bytes makes the kernel send a reset, and a client still writing its upload then loses the answer
 * (the 413 it should read) with it. Node ends such a connection through `destroySoon`, replaced for this socket.
 */
function lingerOnClose(req: IncomingMessage): void {
  req.socket.destroySoon = function lingering(this: Socket) {
    this.end();
    const timer = setTimeout(() => this.destroy(), 2000);
    timer.unref();
    this.once('end', () => this.destroy());
    this.once('close', () => clearTimeout(timer));
    // The platform paused the body when it stopped reading; Node reads the socket only as the body is read.
    req.resume();
  };
}

/** Why the door refuses a request Node could read: the problem it answers, and its detail. */
interface Refusal {
  problem: 'InvalidRequest' | 'NotImplemented' | 'MethodNotAllowed';
  detail: string;
  /** The `Allow` of a 405: the methods the path answers. */
  allow?: string;
}

/** The URL a request names, or why the door refuses it. */
function requestUrl(req: IncomingMessage, headers: RawHeaders, connection: DoorConnection): URL | Refusal {
  const host = headers.first('host');
  // Node's own check answers a bare 400 with nothing journaled, so it is off and done here, where it is explained.
  if (host === null && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1)
    return {
      problem: 'InvalidRequest',
      detail:
        'an HTTP/1.1 request must carry a Host header (RFC 9112 §3.2), and OneNET\'s nginx refuses one without it too (400): send "Host: " and the host name of the URL the device was given, or speak HTTP/1.0',
    };
  // Node reads the first of two; OneNET's nginx refuses them, so a device whose HTTP stack adds a Host or an
  // Authorization beside its own would pass here and fail in the field.
  const repeated = repeatedOnceOnly(headers.raw);
  if (repeated)
    return {
      problem: 'InvalidRequest',
      detail: `the request carries ${repeated} more than once: OneNET's nginx takes it once only and refuses the request (400, ${nginxOnRepeats[repeated]}); an HTTP library that adds ${repeated} itself must not be given one too`,
    };
  const target = req.url ?? '/';
  const url = connection.lastUrl(host, target) ?? parsedUrl(host, target);
  if (!(url instanceof URL)) return url;
  connection.keepUrl(host, target, url);
  // The fetch standard forbids CONNECT, TRACE and TRACK; nothing in the spec uses them. TRACE and TRACK name a
  // method the path does not answer, as nginx says (405 with Allow); CONNECT asks for a tunnel no one offers.
  if (/^(TRACE|TRACK)$/i.test(req.method ?? ''))
    return {
      problem: 'MethodNotAllowed',
      detail: `${req.method} is not a method this platform answers`,
      allow: allowedMethods(url.pathname).join(', '),
    };
  if (/^CONNECT$/i.test(req.method ?? ''))
    return { problem: 'NotImplemented', detail: `${req.method} is not a method this platform answers` };
  return url;
}

/** The URL of a request target and its Host, or why it is none. */
function parsedUrl(host: string | null, target: string): URL | Refusal {
  // The absolute form (`GET http://host/path`), which a device behind a proxy or a modem's HTTP stack may send,
  // names the host itself: a server must take it and ignore Host (RFC 9112 §3.2.2).
  const absolute = target[0] !== '/' && absoluteForm.test(target);
  try {
    return new URL(absolute ? target : `http://${host ?? 'localhost'}${target}`);
  } catch {
    const detail = absolute
      ? `the request target ${JSON.stringify(target)} is not a URL`
      : `the Host header ${JSON.stringify(host)} is not a host`;
    return { problem: 'InvalidRequest', detail };
  }
}

const absoluteForm = /^https?:\/\//i;

/** What nginx logs when it refuses a repeat, and why. */
const nginxOnRepeats = {
  Host: '"client sent duplicate host header", as RFC 9112 §3.2 asks',
  Authorization: '"client sent duplicate header line"',
} as const;

/**
 * The first field nginx takes once only (`ngx_http_process_host`, `ngx_http_process_unique_header_line`) that a
 * raw header list repeats, of the two a device sends: Host and Authorization.
 */
function repeatedOnceOnly(raw: readonly string[]): 'Host' | 'Authorization' | undefined {
  let hosts = 0;
  let authorizations = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const sent = raw[i] as string;
    // Every request goes through here: only a name of the right length, not spelt as usual, is lower-cased.
    if (sent.length !== 4 && sent.length !== 13) continue;
    const name = sent === 'Host' ? 'host' : sent === 'Authorization' ? 'authorization' : sent.toLowerCase();
    if (name === 'host' && ++hosts > 1) return 'Host';
    if (name === 'authorization' && ++authorizations > 1) return 'Authorization';
  }
  return undefined;
}

/**
 * The request body as a web stream, read as the platform pulls it. Cancelling it stops reading but leaves the
 * socket alone (`Readable.toWeb` would destroy it), so a refused upload still gets its answer. A body that does
 * not come whole errors the stream with what happened, for the platform to answer and journal (with how far it
 * got): the connection closed before its end, or nothing came for `idleMs` while the platform waited for more (a
 * device whose Content-Length counts bytes it never sends would otherwise wait out Node's 300 s request timeout).
 * Small chunks (a chunked body sent a byte at a time) are gathered into one before they enter the stream: each
 * would otherwise be an object and a read of its own (issue 28: a million one-byte chunks cost half a gigabyte).
 */
function bodyStream(req: IncomingMessage, idleMs: number): ReadableStream<Uint8Array> {
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  const gathered = new Gathered();
  const settle = () => {
    settled = true;
    clearTimeout(timer);
    gathered.drop();
  };
  const fail = (why: string) => {
    if (settled) return;
    settle();
    stream?.error(new Error(why));
  };
  // Armed while the platform waits for bytes: restarted by each chunk, stopped while it holds enough.
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => fail(`nothing more came for ${idleMs / 1000} s`), idleMs);
    timer.unref();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stream = controller;
        const enqueue = (bytes: Uint8Array) => {
          controller.enqueue(bytes);
          if ((controller.desiredSize ?? 0) > 0) return arm();
          clearTimeout(timer);
          req.pause();
        };
        req.on('data', (chunk: Buffer) => {
          if (settled) return;
          const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          if (bytes.byteLength >= Gathered.size && gathered.empty) return enqueue(bytes);
          // Sent on when a chunk's worth is gathered, or once the bytes of this read have all been seen.
          if (!gathered.add(bytes, (full) => !settled && enqueue(full))) arm();
        });
        req.once('end', () => {
          if (settled) return;
          if (!gathered.empty) controller.enqueue(gathered.take());
          settle();
          controller.close();
        });
        req.once('close', () => fail('the connection closed'));
        req.once('error', () => fail('the connection closed'));
        req.pause();
      },
      pull() {
        if (settled) return;
        arm();
        req.resume();
      },
      cancel() {
        settle();
        req.pause();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

/** GET and HEAD: a `Request` cannot carry their body, so it travels beside it. */
function isBodiless(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

function hasBody(headers: RawHeaders): boolean {
  return Number(headers.get('content-length') ?? 0) > 0 || headers.has('transfer-encoding');
}

/**
 * OneNET documents `GET /ota/devInfo` with a JSON body; at most 64 KiB of it is read. A GET whose Content-Length
 * announces a body it never sends (a hand-built request that always writes one) waits `idleMs`, not Node's 300 s:
 * the answer is then why, as the platform words it, for a 408.
 */
async function readGetBody(req: IncomingMessage, headers: RawHeaders, idleMs: number): Promise<Uint8Array | string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = bodyStream(req, idleMs).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > 65_536) {
        await reader.cancel();
        break;
      }
      chunks.push(value);
    }
  } catch (error) {
    return incompleteBody(size, Number(headers.get('content-length') ?? Number.NaN), error);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** `content-length` → `Content-Length`: the C SDK's client matches header names case-sensitively. */
function canonical(name: string): string {
  let known = canonicalNames.get(name);
  if (known === undefined) {
    known = name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
    // The platform sends a few dozen header names; a bound keeps a strange client from growing it.
    if (canonicalNames.size < 1000) canonicalNames.set(name, known);
  }
  return known;
}

const canonicalNames = new Map<string, string>();

/** A CONNECT: no tunnel is offered, so 501 with a problem, journaled as the door's other refusals are. */
function refuseTunnel(platform: Platform, req: IncomingMessage, socket: Socket): void {
  const refusal = problemBody('NotImplemented', `${req.method} is not a method this platform answers`);
  const body = JSON.stringify(refusal);
  const answerHeaders = {
    'content-type': 'application/problem+json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const { method = '', url: target = '/', rawHeaders } = req;
  journalRefused(platform, { method, target, rawHeaders, status: refusal.status, answerHeaders, note: refusal.detail });
  const head = Object.entries(answerHeaders).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${refusal.status} Not Implemented\r\n${head.join('')}\r\n${body}`);
}

/** The path of a request target, origin or absolute form. */
function pathOf(target = '/'): string {
  return URL.parse(target, 'http://target')?.pathname ?? '/';
}
