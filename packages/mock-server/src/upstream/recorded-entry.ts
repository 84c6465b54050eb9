import { devIdOf } from '../core/http/dev-id.ts';
import { headerEntries } from '../core/http/raw-headers.ts';
import { route } from '../core/http/router.ts';
import { journalHeaders, redactAuthorization } from '../core/journal/call-record.ts';
import { type JournalEntry, summarizeBody } from '../core/journal/journal.ts';
import { rangeField } from '../core/journal/journal-range.ts';
import { answerFacts } from './answer-facts.ts';

/** A body a recording saw: its bytes (decoded, as the device's HTTP stack reads them), or only its size and md5. */
export type RecordedBody = Uint8Array | { size: number; md5?: string };

/** One exchange between a device and an upstream OneNET, as the recording proxy or a HAR file saw it. */
export interface RecordedExchange {
  method: string;
  /** The URL asked of the upstream: its path and query are the device's. */
  url: URL;
  /** Header fields as sent, in order. */
  requestHeaders: readonly string[];
  requestBody?: RecordedBody;
  /** Undefined when no answer came (`note` says why). */
  status?: number;
  responseHeaders: readonly string[];
  responseBody?: RecordedBody;
  /** Bytes of the answer the device received. */
  bytesSent: number;
  /** When the request came, RFC 3339. */
  time: string;
  durationMs: number;
  note?: string;
}

/**
 * Journal entries of a recorded session, in the journal's own schema (`upstream` set to where the answers came
 * from). It remembers what earlier answers told (the device a legacy download's token was handed to), so entries
 * must be made in the order the exchanges happened.
 *
 * @example
 * const session = new RecordedSession('http://ota.heclouds.com');
 * journal.complete(journal.add(session.entry(exchange)));
 */
export class RecordedSession {
  readonly #upstream: string;
  readonly #redact: boolean;
  readonly #holders = new Map<string, number>();

  /** `redact`: drop the `sign` of `Authorization`, which is kept as sent otherwise, so the session can be judged. */
  constructor(upstream: string, { redact = false }: { redact?: boolean } = {}) {
    this.#upstream = upstream;
    this.#redact = redact;
  }

  /** The journal entry of the next exchange of the session (numbered when the journal adds it). */
  entry(x: RecordedExchange): Omit<JournalEntry, 'seq'> {
    const matched = route(x.method === 'HEAD' ? 'GET' : x.method, x.url.pathname);
    const headers = journalHeaders(headerEntries(x.requestHeaders));
    if (this.#redact && headers.authorization) headers.authorization = redactAuthorization(headers.authorization);
    const answerHeaders = journalHeaders(headerEntries(x.responseHeaders));
    const status = x.status ?? 502;
    const responseBody = summary(x.responseBody, answerHeaders['content-type']);
    const requestBody = summary(x.requestBody, headers['content-type']);
    const facts =
      x.status === undefined
        ? {}
        : answerFacts(matched?.operationId, status, answerHeaders, responseBody, headers.authorization);
    const devId = this.#deviceOf(x.url, matched?.params.token, responseBody);
    return {
      time: x.time,
      wallTime: x.time,
      durationMs: x.durationMs,
      ...(devId === undefined ? {} : { devId }),
      operation: matched?.operationId ?? null,
      ...facts,
      upstream: this.#upstream,
      ...(x.note ? { note: x.note } : {}),
      request: {
        method: x.method,
        path: x.url.pathname,
        query: Object.fromEntries(x.url.searchParams),
        headers,
        ...(requestBody ? { body: requestBody } : {}),
      },
      response: {
        status,
        headers: answerHeaders,
        bytesSent: x.bytesSent,
        ...(responseBody ? { body: responseBody } : {}),
      },
      // What was asked and what the upstream's Content-Range says it served (its rule is its own).
      ...rangeField(headers.range, answerHeaders['content-range']),
      faults: [],
    };
  }

  /** The device a legacy call names: its `dev_id`, or the device a download's token was handed to. */
  #deviceOf(url: URL, token: string | undefined, answer: { json?: unknown } | undefined): number | undefined {
    const devId = devIdOf(url.searchParams);
    const handed = (answer?.json as { data?: { token?: unknown } } | undefined)?.data?.token;
    if (devId !== undefined && typeof handed === 'string') this.#holders.set(handed, devId);
    return devId ?? (token === undefined ? undefined : this.#holders.get(token));
  }
}

function summary(body: RecordedBody | undefined, type: string | undefined) {
  if (!body || (body instanceof Uint8Array ? body.length : body.size) === 0) return undefined;
  if (body instanceof Uint8Array) return summarizeBody(body, type ?? null);
  return { size: body.size, ...(body.md5 ? { md5: body.md5 } : {}), ...(type ? { contentType: type } : {}) };
}
