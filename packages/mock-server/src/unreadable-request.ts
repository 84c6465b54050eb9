/**
 * @module
 * A request Node's HTTP parser refuses (a lower-case method, a space in a header name or in the path, a header
 * section over the limit, a line ended by LF alone after lines ended by CRLF) never reaches the platform. Node's own answer is a bare 400 and the
 * journal never hears of it, so a device maker sees their device fail with nothing to read. Here it is answered
 * with a problem that names what is wrong and where, and journaled beside the device's other calls (for the device
 * its request line names). A connection whose lines all end with LF alone is served instead (line-endings.ts).
 */
import type { Duplex } from 'node:stream';
import { devIdOf } from './core/http/dev-id.ts';
import { headerEntries } from './core/http/raw-headers.ts';
import { requestDevice } from './core/http/request-device.ts';
import { problemBody } from './core/http/responses.ts';
import { route } from './core/http/router.ts';
import { journalHeaders, redactAuthorization } from './core/journal/call-record.ts';
import type { Platform } from './core/machinery.ts';
import { platformDate } from './http-date.ts';

/** What Node passes to `clientError` for a request its parser refused. */
export interface ParserError extends Error {
  code?: string;
  reason?: string;
  bytesParsed?: number;
  rawPacket?: Buffer;
}

/**
 * Answers and journals a request Node could not read; a connection already answering or gone is closed.
 * `bareLineFeeds`: the connection's lines end with LF alone and are read as such, so that is not the fault.
 */
export function answerUnreadable(platform: Platform, error: ParserError, socket: Duplex, bareLineFeeds = false): void {
  // Node's own rule: answer only while no answer has started on this connection.
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || answering) {
    socket.destroy();
    return;
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    // Closed once written: a client that sends nothing may never close its side either.
    socket.end(
      `HTTP/1.1 408 Request Timeout\r\nDate: ${platformDate(platform.clock)()}\r\nConnection: close\r\n\r\n`,
      () => socket.destroy(),
    );
    return;
  }
  const raw = error.rawPacket ?? Buffer.alloc(0);
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const detail = explain(error, raw, bareLineFeeds);
  const body = JSON.stringify(problemBody('InvalidRequest', detail, status));
  const headers = {
    'content-type': 'application/problem+json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nDate: ${platformDate(platform.clock)()}\r\nContent-Type: ${headers['content-type']}\r\n` +
      `Content-Length: ${headers['content-length']}\r\nConnection: close\r\n\r\n${body}`,
  );
  journal(platform, raw, status, headers, detail);
}

/** What is wrong, where, and the usual cause in a device's own HTTP code. */
function explain(error: ParserError, raw: Buffer, bareLineFeeds: boolean): string {
  const at = error.bytesParsed ?? 0;
  const hint = hintFor(error, raw, at, bareLineFeeds);
  // The parser stops just past the byte it refused: the line holding the byte before is the one at fault.
  const where = raw.length > 0 ? ` at byte ${at}, in ${JSON.stringify(lineAround(raw, Math.max(0, at - 1)))}` : '';
  return `the request is not HTTP/1.1 as the platform reads it (${error.code}: ${error.reason ?? error.message})${where}${hint ? `: ${hint}` : ''}`;
}

function hintFor(error: ParserError, raw: Buffer, at: number, bareLineFeeds: boolean): string | undefined {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'the request line and headers together are over 16 KiB';
  // Up to a little past where the parser stopped: the line it was reading.
  const seen = raw.subarray(0, Math.min(raw.length, at + 2));
  for (let i = seen.indexOf(10); i !== -1 && !bareLineFeeds; i = seen.indexOf(10, i + 1))
    if (i === 0 || seen[i - 1] !== 13) return 'HTTP ends every line with CRLF ("\\r\\n"); this one ends with LF alone';
  const requestLine = lineAround(raw, 0);
  if (error.code === 'HPE_INVALID_METHOD' && /^[a-z]+ /.test(requestLine)) return 'methods are upper case (GET, POST)';
  if (error.code === 'HPE_INVALID_CONSTANT' && requestLine.split(' ').length > 3)
    return 'the path or query holds a space: send it as %20';
  if (error.code === 'HPE_INVALID_HEADER_TOKEN' && /whitespace after header value/i.test(error.reason ?? ''))
    return 'a header line starts with a space or tab (folded headers are not allowed)';
  if (error.code === 'HPE_INVALID_HEADER_TOKEN')
    return 'a header name holds a space or a character names cannot (nothing between the name and its colon)';
  return undefined;
}

/** The line of `raw` that holds byte `at`, as sent (Latin-1), cut to 120 characters. */
function lineAround(raw: Buffer, at: number): string {
  const start = raw.lastIndexOf(10, Math.max(0, at - 1)) + 1;
  const next = raw.indexOf(10, at);
  const line = raw.subarray(start, next === -1 ? raw.length : next + 1).toString('latin1');
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/**
 * The device a refused request is about, as the platform would have found it had it been readable: its `dev_id`,
 * the device of a download token, or the product and name a new-platform path holds. The method is read as
 * upper case (a lower-case method is one reason a request is refused).
 */
function deviceOf(platform: Platform, method: string, url: URL | undefined): number | undefined {
  if (!url) return undefined;
  const matched = route(method.toUpperCase(), url.pathname);
  return matched ? requestDevice(platform.state, url, matched) : devIdOf(url.searchParams);
}

/** The refused request in the journal: method, path and query as far as its first line says, and the answer. */
function journal(platform: Platform, raw: Buffer, status: number, headers: Record<string, string>, note: string) {
  const [method = '', target = ''] = lineAround(raw, 0).trimEnd().split(' ');
  journalRefused(platform, { method, target, status, answerHeaders: headers, note });
}

/** A request the door answered without the platform, as the journal keeps it. */
export interface RefusedRequest {
  method: string;
  /** The request target as sent (origin or absolute form). */
  target: string;
  /** The request's headers as Node read them, when it could; `Authorization` is redacted. */
  rawHeaders?: readonly string[];
  status: number;
  answerHeaders: Record<string, string>;
  note: string;
}

/**
 * Journals a request no operation took (Node could not read it, or the door refused what it read: an HTTP/1.1
 * request without Host, a TRACE), without an operation and for the device its request line names, so the
 * device's journal and its conformance case show it beside its other calls.
 */
export function journalRefused(platform: Platform, refused: RefusedRequest): void {
  const { method, target, status, answerHeaders, note } = refused;
  let path = target.slice(0, 200);
  let query: Record<string, string> = {};
  let url: URL | undefined;
  try {
    url = new URL(target, 'http://platform');
    path = url.pathname;
    query = Object.fromEntries(url.searchParams);
  } catch {
    // Not a URL at all: kept as sent, with no device.
  }
  const headers = journalHeaders(headerEntries(refused.rawHeaders ?? []));
  if (headers.authorization) headers.authorization = redactAuthorization(headers.authorization);
  const devId = deviceOf(platform, method, url);
  platform.journal.complete(
    platform.journal.add({
      time: new Date(platform.clock.now()).toISOString(),
      wallTime: new Date().toISOString(),
      durationMs: 0,
      ...(devId === undefined ? {} : { devId }),
      operation: null,
      note,
      request: { method: method.slice(0, 32), path, query, headers },
      response: { status, headers: answerHeaders, bytesSent: Number(answerHeaders['content-length'] ?? 0) },
      faults: [],
    }),
  );
}
