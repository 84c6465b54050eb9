/**
 * @module
 * The recording proxy (`ota-mock --upstream <url>`): a device on the bench points at ota-mock instead of OneNET,
 * and each device call is forwarded to the upstream as sent and answered as the upstream answered, byte for byte
 * and framing kept (a length, chunks, or an end by closing), while the journal keeps the exchange in its own
 * schema, marked with `upstream`, for the console, the request log, `ota-conformance judge` and `drift`.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { Md5 } from '@onenet-ota/sdk';
import { problemBody } from '../core/http/responses.ts';
import type { Platform } from '../core/machinery.ts';
import { type RecordedBody, RecordedSession } from './recorded-entry.ts';

/** Where device calls go, and what the recording keeps of their secrets. */
export interface Upstream {
  /** OneNET's origin (`http://ota.heclouds.com`, `https://iot-api.heclouds.com`) or a stand-in for it. */
  url: URL;
  /** Redact the `sign` of `Authorization` in the recording; kept as sent by default, so a capture can be judged. */
  redact?: boolean;
  /** Give up on an upstream that has not answered within this long; 60 s by default. */
  timeoutMs?: number;
}

// Hop-by-hop fields (RFC 9110 §7.6.1) belong to one connection: each side of the proxy has its own.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);
// What the journal keeps of a body to read it again (JSON, the one-byte error); the rest as size and md5.
const keptBytes = 64 * 1024;

/** Forwards one device call and answers it with the upstream's answer; the exchange is journaled when it ends. */
export function forward(
  platform: Platform,
  upstream: Upstream,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const time = new Date(platform.clock.now()).toISOString();
  const session = sessionOf(platform, upstream);
  const target = new URL(req.url ?? '/', upstream.url);
  const requestHeaders: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (hopByHop.has(lower)) continue;
    // The upstream's own name: OneNET routes by Host (its three hosts share one address).
    requestHeaders.push(name, lower === 'host' ? target.host : (req.rawHeaders[i + 1] as string));
  }
  const sentBody = new Collected();
  const answerBody = new Collected();
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<void>((resolve) => {
    let answered: IncomingMessage | undefined;
    let finished = false;
    const finish = (note?: string) => {
      if (finished) return;
      finished = true;
      const encoding = answered?.headers['content-encoding'];
      const entry = session.entry({
        method: req.method ?? 'GET',
        url: target,
        requestHeaders,
        requestBody: recorded(sentBody, undefined),
        ...(answered ? { status: answered.statusCode ?? 502 } : {}),
        responseHeaders: answered?.rawHeaders ?? [],
        responseBody: recorded(answerBody, encoding),
        bytesSent: answerBody.size,
        time,
        durationMs: performance.now() - started,
        ...(note ? { note } : {}),
      });
      platform.journal.complete(platform.journal.add(entry));
      resolve();
    };
    const outgoing = send(target, {
      method: req.method,
      headers: requestHeaders,
      timeout: upstream.timeoutMs ?? 60_000,
    });
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`no answer within ${(upstream.timeoutMs ?? 60_000) / 1000} s`)),
    );
    outgoing.on('error', (error) => {
      if (answered) {
        // The upstream broke off mid-answer: the device sees the same cut.
        res.destroy();
        finish(`the upstream broke off its answer: ${error.message}`);
        return;
      }
      const refusal = problemBody('UpstreamUnreachable', `${target.origin} did not answer: ${error.message}`);
      const text = JSON.stringify(refusal);
      res.writeHead(refusal.status, {
        'Content-Type': 'application/problem+json',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
      answerBody.add(Buffer.from(text));
      finish(refusal.detail);
    });
    outgoing.on('response', (incoming) => {
      answered = incoming;
      const raw: string[] = [];
      for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
        const name = incoming.rawHeaders[i] as string;
        if (!hopByHop.has(name.toLowerCase())) raw.push(name, incoming.rawHeaders[i + 1] as string);
      }
      const length = incoming.headers['content-length'];
      const chunked = /chunked/i.test(incoming.headers['transfer-encoding'] ?? '');
      if (length === undefined && !chunked) {
        // Ended by closing, as OneNET's one-byte error is: so is the answer to the device.
        res.useChunkedEncodingByDefault = false;
        res.shouldKeepAlive = false;
        raw.push('Connection', 'close');
      }
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, raw);
      // Package bytes are kept as size and md5 only, as the journal keeps them: no copy of a fragment per call.
      answerBody.keep = /json|text/i.test(incoming.headers['content-type'] ?? '');
      incoming.on('data', (chunk: Buffer) => {
        answerBody.add(chunk);
        if (!res.write(chunk)) {
          incoming.pause();
          res.once('drain', () => incoming.resume());
        }
      });
      incoming.on('end', () => {
        res.end();
        finish();
      });
      incoming.on('close', () => {
        if (incoming.complete) return;
        res.destroy();
        finish('the upstream broke off its answer');
      });
    });
    req.on('data', (chunk: Buffer) => sentBody.add(chunk));
    req.pipe(outgoing);
  });
}

// One recorded session per platform and upstream: it remembers which device each legacy token was handed to.
const sessions = new WeakMap<Platform, RecordedSession>();
function sessionOf(platform: Platform, upstream: Upstream): RecordedSession {
  let session = sessions.get(platform);
  if (!session) {
    session = new RecordedSession(upstream.url.origin, { redact: upstream.redact ?? false });
    sessions.set(platform, session);
  }
  return session;
}

/** A body as it passes: its size, its md5 and, when `keep` (JSON, text), its first bytes. */
class Collected {
  size = 0;
  keep = true;
  readonly #md5 = new Md5();
  readonly #kept: Buffer[] = [];
  add(chunk: Buffer): void {
    if (this.keep && this.size < keptBytes) this.#kept.push(chunk.subarray(0, keptBytes - this.size));
    this.size += chunk.length;
    this.#md5.update(chunk);
  }
  get md5(): string {
    return this.#md5.hex();
  }
  /** The whole body, when it was kept and small enough. */
  get bytes(): Uint8Array | undefined {
    return this.keep && this.size <= keptBytes ? Buffer.concat(this.#kept) : undefined;
  }
}

/** A body the device's HTTP stack reads: decoded when the upstream compressed it, else its size and md5. */
function recorded(body: Collected, encoding: string | undefined): RecordedBody {
  return decoded(body.bytes, encoding) ?? { size: body.size, md5: body.md5 };
}

/** A body as the device's HTTP stack reads it: the journal keeps JSON, not its gzip. */
function decoded(bytes: Uint8Array | undefined, encoding: string | undefined): Uint8Array | undefined {
  if (!bytes || !encoding || encoding === 'identity') return bytes;
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(bytes);
    if (encoding === 'deflate') return inflateSync(bytes);
    if (encoding === 'br') return brotliDecompressSync(bytes);
  } catch {
    // Not what it says it is: kept as size and md5.
  }
  return undefined;
}
