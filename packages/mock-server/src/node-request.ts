import type { IncomingMessage } from 'node:http';
import type { RawHeaders } from './core/http/raw-headers.ts';

// The node door hands the platform what it reads of a request (method, url, headers, body) without building a
// WHATWG Request: at tens of thousands of device calls a second, undici's Request (its Headers list, an
// AbortSignal, body extraction) costs more than the platform's own work. MSW and in-process callers still pass
// real Requests; the platform reads only these four members of either.

/**
 * The request the platform reads, made from Node's: its raw headers as read, and `body` the stream the caller
 * built, or null for GET/HEAD.
 */
export function nodeRequest(
  req: IncomingMessage,
  url: URL,
  headers: RawHeaders,
  body: ReadableStream<Uint8Array> | null,
): Request {
  return { method: (req.method ?? 'GET').toUpperCase(), url: url.href, headers, body } as unknown as Request;
}
