import type { RangeRule } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import { headerEntries } from '../http/raw-headers.ts';
import { utf8Length } from '../http/whole-answer.ts';
import type { JournalEntry, LoggedEntry } from './journal-entry.ts';
import { rangeField } from './journal-range.ts';

type BodySummary = components['schemas']['BodySummary'];

/** JSON bodies are kept up to 2 KiB in full; larger ones as their size. */
export const jsonKeptBytes = 2048;
/** Header values longer than this are cut in the journal (noted in the value): a 14 KB cookie is not evidence. */
const headerValueKept = 1024;
/** Headers kept per request in the journal; query parameters too. */
const headersKept = 64;
/** A URL longer than this has its path and query values cut as header values are, before it is kept. */
const hrefKept = 4096;

/**
 * One HTTP call as the journal holds it while it is answered: the parts it was answered from (the request's flat
 * header list and URL, the answer's header record and JSON text, times as numbers), not the entry built from them.
 * A platform under load answers far more calls than anyone reads, and an entry of nested objects per call made the
 * garbage collector's work grow with the journal: at 100 000 entries it cost a quarter of a task check. Once the
 * call completes the journal packs these parts into bytes (`kept-calls.ts`) and makes a HeldCall of them again
 * when it is read; {@link HeldCall.toEntry} builds the spec's `JournalEntry` then.
 */
export class HeldCall {
  seq = 0;
  durationMs = 0;
  bytesSent = 0;
  aborted = false;
  devId: number | undefined = undefined;
  errno: number | undefined = undefined;
  note: string | undefined = undefined;
  auth: 'accepted' | 'refused' | undefined = undefined;
  tolerated: NonNullable<JournalEntry['tolerated']> | undefined = undefined;
  exception: string | undefined = undefined;
  /** The request's body as summarised (package uploads, JSON reports); none for a GET. */
  requestBody: BodySummary | undefined = undefined;
  /** The answer's JSON text, kept whole (at most 2 KiB) and parsed when read. */
  responseJson: string | undefined = undefined;
  /** Whether keys in the answer's JSON are redacted when read (management answers may hold access keys). */
  redactJson = false;
  /** The answer's body as summarised, when it is not JSON text kept whole. */
  responseBody: BodySummary | undefined = undefined;
  /** The body is a package stream: the summary is its size as sent. */
  streamed = false;
  /** The rule of the Range dialect that chose a download's bytes. */
  rangeRule: RangeRule | undefined = undefined;

  /** Platform time of the call, Unix ms. */
  readonly time: number;
  /** Machine time of the call, Unix ms. */
  readonly wallTime: number;
  readonly operation: string | null;
  readonly method: string;
  readonly href: string;
  /**
   * The request's headers: the flat list a live call came with ([name, value, …], Node's own), or the same joined by
   * line feeds (`name\nvalue\n…`) for a call read back from its packed bytes. Kept as given: joining them for every
   * call cost more than packing them (perf).
   */
  readonly requestHeaders: readonly string[] | string;
  readonly status: number;
  /** The answer's headers: the record the platform made (its strings mostly shared), or a flat list. */
  readonly responseHeaders: Readonly<Record<string, string>> | readonly string[];
  readonly faults: readonly string[];

  // Field by field: `Object.assign` was 4 % of the platform's time for a package fragment (CPU profile).
  constructor(parts: HeldParts) {
    this.time = parts.time;
    this.wallTime = parts.wallTime;
    this.operation = parts.operation;
    this.method = parts.method;
    this.href = parts.href.length > hrefKept ? keptHref(parts.href) : parts.href;
    this.requestHeaders = parts.requestHeaders;
    this.status = parts.status;
    this.responseHeaders = parts.responseHeaders;
    this.faults = parts.faults;
  }

  #requestHeaderList(): readonly string[] {
    const fields = this.requestHeaders;
    return typeof fields === 'string' ? headerList(fields) : fields;
  }

  /** What the request log prints of it: the URL split without a URL parser, one header looked for. */
  toLogged(): LoggedEntry {
    const href = this.href;
    const pathStart = href.indexOf('/', href.indexOf('//') + 2);
    const queryStart = href.indexOf('?', pathStart);
    return {
      time: new Date(this.time).toISOString(),
      durationMs: this.durationMs,
      ...(this.devId !== undefined ? { devId: this.devId } : {}),
      operation: this.operation,
      ...(this.errno !== undefined ? { errno: this.errno } : {}),
      ...(this.note ? { note: this.note } : {}),
      ...(this.tolerated ? { tolerated: this.tolerated } : {}),
      ...(this.rangeRule ? { range: { rule: this.rangeRule } } : {}),
      faults: this.faults as string[],
      request: {
        method: this.method,
        path: queryStart < 0 ? href.slice(pathStart) : href.slice(pathStart, queryStart),
        query: queryStart < 0 ? {} : Object.fromEntries(new URLSearchParams(href.slice(queryStart + 1))),
        headers: rangeOf(this.#requestHeaderList()),
        ...(this.requestBody ? { body: this.requestBody } : {}),
      },
      response: { status: this.status, bytesSent: this.bytesSent, ...(this.aborted ? { aborted: true } : {}) },
    };
  }

  /** The entry as the spec defines it (`JournalEntry`), secrets redacted. */
  toEntry(): JournalEntry {
    const url = new URL(this.href);
    const requestHeaders = journalHeaders(headerEntries(this.#requestHeaderList()));
    if (requestHeaders.authorization) requestHeaders.authorization = redactAuthorization(requestHeaders.authorization);
    // Both read as the fetch standard shows headers: names lower-cased, repeats joined, sorted.
    const fields = this.responseHeaders;
    const responseHeaders = headerEntries(Array.isArray(fields) ? fields : Object.entries(fields).flat());
    const contentType = responseHeaders.find(([name]) => name === 'content-type')?.[1];
    let body: BodySummary | undefined = this.responseBody;
    if (this.streamed) body = { size: this.bytesSent, contentType: 'application/octet-stream' };
    else if (this.responseJson !== undefined && contentType) {
      const value: unknown = JSON.parse(this.responseJson);
      body = summarizeJson(value, utf8Length(this.responseJson), contentType, this.redactJson);
    }
    return {
      seq: this.seq,
      time: new Date(this.time).toISOString(),
      wallTime: new Date(this.wallTime).toISOString(),
      durationMs: this.durationMs,
      ...(this.devId !== undefined ? { devId: this.devId } : {}),
      operation: this.operation,
      ...(this.errno !== undefined ? { errno: this.errno } : {}),
      ...(this.note ? { note: this.note } : {}),
      ...(this.auth ? { auth: this.auth } : {}),
      ...(this.tolerated ? { tolerated: this.tolerated } : {}),
      ...(this.exception ? { exception: this.exception } : {}),
      request: {
        method: this.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: requestHeaders,
        ...(this.requestBody ? { body: this.requestBody } : {}),
      },
      response: {
        status: this.status,
        headers: journalHeaders(responseHeaders),
        bytesSent: this.bytesSent,
        ...(body ? { body } : {}),
        ...(this.aborted ? { aborted: true } : {}),
      },
      ...rangeField(
        requestHeaders.range,
        responseHeaders.find(([name]) => name === 'content-range')?.[1],
        this.rangeRule,
      ),
      faults: [...this.faults],
    };
  }
}

/** What a {@link HeldCall} is made of; the rest is filled in as the platform learns it. */
export type HeldParts = Pick<
  HeldCall,
  'time' | 'wallTime' | 'operation' | 'method' | 'href' | 'status' | 'responseHeaders' | 'faults'
> & {
  /** The request's headers as a flat list: [name, value, …] (Node's raw list, as sent), or already joined. */
  requestHeaders: readonly string[] | string;
};

// A request's headers are packed as one string: names and values joined by a line feed, which neither can hold (HTTP
// forbids it; Node and the fetch standard refuse it). The answer's header record is kept as the platform made it
// until then: its strings are mostly shared (a Content-Disposition, a Content-Type).

/** The flat list a joined string was made from. */
function headerList(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

/** Headers as the journal keeps them: at most 64, each value at most 1 KiB. */
export function journalHeaders(headers: Iterable<[string, string]>): Record<string, string> {
  const kept: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of headers) {
    if (++count > headersKept) break;
    kept[name] = cut(value);
  }
  return kept;
}

/** The `range` header of a flat header list, as a header record; empty without one. */
function rangeOf(fields: readonly string[]): Record<string, string> {
  for (let i = 0; i < fields.length - 1; i += 2) {
    const name = fields[i] as string;
    if (name.length === 5 && name.toLowerCase() === 'range') return { range: fields[i + 1] as string };
  }
  return {};
}

/**
 * A long URL as the journal keeps it: its path and each query value at most 1 KiB, its first 64 query parameters
 * (issue 28: 77 000 checks with 15 KB query values made a journal read of 2 GB).
 */
export function keptHref(href: string): string {
  const url = new URL(href);
  const kept = new URLSearchParams();
  let count = 0;
  for (const [name, value] of url.searchParams) {
    if (++count > headersKept) break;
    kept.append(cut(name), cut(value));
  }
  url.pathname = url.pathname.slice(0, headerValueKept);
  url.search = kept.toString();
  return url.href;
}

/** A value of at most 1 KiB, saying how much was cut. */
function cut(value: string): string {
  return value.length > headerValueKept
    ? `${value.slice(0, headerValueKept)}…[${value.length - headerValueKept} more characters not kept]`
    : value;
}

/** Replaces the signature of an `Authorization` value, keeping what a tester needs (res, et, method). */
export function redactAuthorization(value: string): string {
  // A device sends the same header until it renews its token: remember the last few.
  let redacted = redactedHeaders.get(value);
  if (redacted === undefined) {
    redacted = value.replace(/(^|&)sign=[^&]*/, '$1sign=<redacted>');
    if (redactedHeaders.size >= 1024) redactedHeaders.clear();
    redactedHeaders.set(value, redacted);
  }
  return redacted;
}

const redactedHeaders = new Map<string, string>();

/**
 * The summary of a JSON answer from the value it was made of: the same as `summarizeBody` of its bytes.
 * `redact: false` keeps the value itself, for answers that hold no key (the device API's envelopes).
 */
function summarizeJson(value: unknown, size: number, contentType: string, redact = true): BodySummary {
  if (size > jsonKeptBytes) return { size, contentType };
  return { size, contentType, json: redact ? redactKeys(value) : value };
}

/** A copy of a JSON value with every `accessKey` replaced by `<redacted>`. */
export function redactKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'accessKey' ? '<redacted>' : redactKeys(v)]),
    );
  }
  return value;
}
