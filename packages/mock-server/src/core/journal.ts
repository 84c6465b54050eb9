import { type components, Md5 } from '@onenet-ota/sdk';

/** One answered request (spec schema `JournalEntry`). */
export type JournalEntry = components['schemas']['JournalEntry'];
type BodySummary = components['schemas']['BodySummary'];

/** What a journal query selects. */
export interface JournalQuery {
  devId?: number;
  operation?: string;
  since?: number;
  limit?: number;
}

const jsonKeptBytes = 2048;

/**
 * Every request the platform answered, with platform time: what the conformance suite judges a device by.
 * Secrets are redacted on the way in (the `sign` of `Authorization`, access keys in JSON bodies).
 */
export class Journal {
  #entries: JournalEntry[] = [];
  #sizes: number[] = [];
  #bytes = 0;
  #nextSeq = 1;
  /** Entries added or completed since a durable store last drained them; only kept when one asks. */
  #changed: Set<JournalEntry> | undefined;
  readonly #listeners = new Set<(entry: JournalEntry) => void>();
  readonly #limit: number;
  readonly #maxBytes: number;

  /**
   * Keeps the newest `limit` entries within `maxBytes` (each entry's size estimated when added; header values
   * and bodies are already cut short by then), so a platform running for days does not grow without bound.
   */
  constructor(limit = 100_000, maxBytes = 64 * 1024 * 1024) {
    this.#limit = limit;
    this.#maxBytes = maxBytes;
  }

  /** Adds an entry; its response fields may still be completed when a streamed body ends. */
  add(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full = { seq: this.#nextSeq++, ...entry } as JournalEntry;
    const size = estimateSize(full);
    this.#entries.push(full);
    this.#sizes.push(size);
    this.#bytes += size;
    this.#changed?.add(full);
    // Drop the oldest tenth at once rather than one entry per request.
    if (this.#entries.length > this.#limit || this.#bytes > this.#maxBytes) {
      const drop = Math.max(Math.ceil(this.#entries.length / 10), 1);
      this.#entries.splice(0, drop);
      for (const dropped of this.#sizes.splice(0, drop)) this.#bytes -= dropped;
    }
    return full;
  }

  /**
   * Entries after `since`, filtered by device and operation, at most `limit`. Entries are kept in `seq` order, so
   * the first one after `since` is found by bisection: a reader following the journal with `since` pays for the
   * new entries only, however long the journal is.
   */
  query({ devId, operation, since = 0, limit = 10_000 }: JournalQuery = {}): {
    entries: JournalEntry[];
    nextSeq: number;
  } {
    const entries: JournalEntry[] = [];
    for (let i = this.#firstAfter(since); i < this.#entries.length && entries.length < limit; i++) {
      const e = this.#entries[i] as JournalEntry;
      if ((devId === undefined || e.devId === devId) && (operation === undefined || e.operation === operation))
        entries.push(e);
    }
    return { entries, nextSeq: this.#nextSeq };
  }

  /** The index of the first entry with `seq` greater than `since`. */
  #firstAfter(since: number): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#entries[middle] as JournalEntry).seq > since) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * Marks an entry complete: its answer has gone out (a streamed body ended, or was cut short). A durable store
   * writes it again; listeners (the request log) see it now, with the bytes served and the faults applied.
   */
  complete(entry: JournalEntry): void {
    this.#changed?.add(entry);
    for (const listener of this.#listeners) listener(entry);
  }

  /** Marks an entry for a durable store to write again (a write that failed). */
  markChanged(entry: JournalEntry): void {
    this.#changed?.add(entry);
  }

  /** Calls `listener` with every entry as it completes; returns the function that stops it. */
  onComplete(listener: (entry: JournalEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts keeping the entries a durable store has yet to write. */
  trackChanges(): void {
    this.#changed ??= new Set();
  }

  /** The entries added or completed since the last drain that are still kept. */
  drainChanged(): JournalEntry[] {
    if (!this.#changed || this.#changed.size === 0) return [];
    const first = this.firstSeq();
    const changed = [...this.#changed].filter((entry) => entry.seq >= first);
    this.#changed.clear();
    return changed;
  }

  /** The oldest `seq` still kept (the next one when the journal is empty). */
  firstSeq(): number {
    return this.#entries[0]?.seq ?? this.#nextSeq;
  }

  /** The `seq` the next entry gets. */
  nextSeq(): number {
    return this.#nextSeq;
  }

  /** Puts back entries a durable store kept, oldest first, and where numbering goes on. */
  restore(entries: JournalEntry[], nextSeq: number): void {
    this.clear();
    for (const entry of entries) {
      const size = estimateSize(entry);
      this.#entries.push(entry);
      this.#sizes.push(size);
      this.#bytes += size;
    }
    this.#nextSeq = Math.max(nextSeq, (entries.at(-1)?.seq ?? 0) + 1);
  }

  /** Removes every entry; `seq` keeps counting. */
  clear(): void {
    this.#entries = [];
    this.#sizes = [];
    this.#bytes = 0;
  }
}

/** Header values longer than this are cut in the journal (noted in the value): a 14 KB cookie is not evidence. */
const headerValueKept = 1024;
/** Headers kept per request in the journal. */
const headersKept = 64;

/** Request or response headers as the journal keeps them: at most 64, each value at most 1 KiB. */
export function journalHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of headers) {
    if (++count > headersKept) break;
    kept[name] =
      value.length > headerValueKept
        ? `${value.slice(0, headerValueKept)}…[${value.length - headerValueKept} more characters not kept]`
        : value;
  }
  return kept;
}

// What an entry costs, roughly: the strings it holds plus a fixed overhead for the object and its numbers.
function estimateSize(entry: JournalEntry): number {
  let size = 512 + entry.request.path.length;
  for (const [k, v] of Object.entries(entry.request.headers)) size += k.length + v.length;
  for (const [k, v] of Object.entries(entry.request.query)) size += k.length + v.length;
  for (const [k, v] of Object.entries(entry.response.headers)) size += k.length + v.length;
  size += (entry.note?.length ?? 0) + (entry.exception?.length ?? 0);
  // JSON bodies are kept up to 2 KiB each, the rest as size and md5.
  if (entry.request.body) size += Math.min(entry.request.body.size, jsonKeptBytes) + 64;
  return size;
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
 * Summarises a body: JSON up to 2 KiB in full (access keys redacted), text up to 2 KiB in full, anything else as
 * size and md5 (a body kept whole needs no digest).
 */
export function summarizeBody(bytes: Uint8Array, contentType: string | null, md5?: string): BodySummary {
  const summary: BodySummary = { size: bytes.length };
  if (contentType) summary.contentType = contentType;
  if (contentType?.includes('json') && bytes.length <= jsonKeptBytes) {
    try {
      summary.json = redactKeys(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      summary.text = new TextDecoder().decode(bytes);
    }
  } else if (contentType?.startsWith('text/') && bytes.length <= jsonKeptBytes) {
    summary.text = new TextDecoder().decode(bytes);
  } else summary.md5 = md5 ?? new Md5().update(bytes).hex();
  return summary;
}

/**
 * The summary of a JSON answer from the value it was made of: the same as {@link summarizeBody} of its bytes.
 * `redact: false` keeps the value itself, for answers that hold no key and are built afresh for each call (the
 * device API's envelopes): copying them cost more than a device's whole check.
 */
export function summarizeJson(value: unknown, size: number, contentType: string, redact = true): BodySummary {
  if (size > jsonKeptBytes) return { size, contentType };
  return { size, contentType, json: redact ? redactKeys(value) : value };
}

function redactKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'accessKey' ? '<redacted>' : redactKeys(v)]),
    );
  }
  return value;
}
