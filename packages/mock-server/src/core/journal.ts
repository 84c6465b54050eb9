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
  #nextSeq = 1;
  readonly #limit: number;

  /** Keeps the newest `limit` entries, so a platform running for days does not grow without bound. */
  constructor(limit = 100_000) {
    this.#limit = limit;
  }

  /** Adds an entry; its response fields may still be completed when a streamed body ends. */
  add(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full = { seq: this.#nextSeq++, ...entry } as JournalEntry;
    this.#entries.push(full);
    // Drop the oldest tenth at once rather than one entry per request.
    if (this.#entries.length > this.#limit) this.#entries.splice(0, Math.ceil(this.#limit / 10));
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

  /** Removes every entry; `seq` keeps counting. */
  clear(): void {
    this.#entries = [];
  }
}

/** Replaces the signature of an `Authorization` value, keeping what a tester needs (res, et, method). */
export function redactAuthorization(value: string): string {
  return value.replace(/(^|&)sign=[^&]*/, '$1sign=<redacted>');
}

/** Summarises a body: JSON up to 2 KiB in full (access keys redacted), anything else as size and md5. */
export function summarizeBody(bytes: Uint8Array, contentType: string | null): BodySummary {
  const summary: BodySummary = { size: bytes.length, md5: new Md5().update(bytes).hex() };
  if (contentType) summary.contentType = contentType;
  if (contentType?.includes('json') && bytes.length <= jsonKeptBytes) {
    try {
      summary.json = redactKeys(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      summary.text = new TextDecoder().decode(bytes);
    }
  } else if (contentType?.startsWith('text/') && bytes.length <= jsonKeptBytes) {
    summary.text = new TextDecoder().decode(bytes);
  }
  return summary;
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
