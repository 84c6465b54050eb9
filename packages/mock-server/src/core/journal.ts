import { type components, Md5 } from '@onenet-ota/sdk';
import { type HeldCall, jsonKeptBytes, redactKeys } from './held-call.ts';

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

/** What the journal keeps of one call: an entry as added (MQTT, push), or an HTTP call held as its parts. */
export type Kept = JournalEntry | HeldCall;

/** The entry of what is kept, as the spec defines it. */
function entryOf(kept: Kept): JournalEntry {
  return 'toEntry' in kept ? kept.toEntry() : kept;
}

/**
 * Every request the platform answered, with platform time: what the conformance suite judges a device by.
 * Secrets are redacted in every entry read (the `sign` of `Authorization`, access keys in JSON bodies).
 */
export class Journal {
  #entries: Kept[] = [];
  #sizes: number[] = [];
  #bytes = 0;
  #nextSeq = 1;
  /** Entries added or completed since a durable store last drained them; only kept when one asks. */
  #changed: Set<Kept> | undefined;
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
    this.#keep(full, estimateSize(full));
    return full;
  }

  /** Adds an HTTP call, numbered now; what it holds may still be completed when its body ends. */
  hold(call: HeldCall): HeldCall {
    call.seq = this.#nextSeq++;
    this.#keep(call, call.size());
    return call;
  }

  #keep(kept: Kept, size: number): void {
    this.#entries.push(kept);
    this.#sizes.push(size);
    this.#bytes += size;
    this.#changed?.add(kept);
    // Drop the oldest tenth at once rather than one entry per request.
    if (this.#entries.length > this.#limit || this.#bytes > this.#maxBytes) {
      const drop = Math.max(Math.ceil(this.#entries.length / 10), 1);
      this.#entries.splice(0, drop);
      for (const dropped of this.#sizes.splice(0, drop)) this.#bytes -= dropped;
    }
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
      const e = this.#entries[i] as Kept;
      if ((devId === undefined || e.devId === devId) && (operation === undefined || e.operation === operation))
        entries.push(entryOf(e));
    }
    return { entries, nextSeq: this.#nextSeq };
  }

  /** The index of the first entry with `seq` greater than `since`. */
  #firstAfter(since: number): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#entries[middle] as Kept).seq > since) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * Marks an entry complete: its answer has gone out (a streamed body ended, or was cut short). A durable store
   * writes it again; listeners (the request log) see it now, with the bytes served and the faults applied.
   */
  complete(entry: Kept): void {
    this.#changed?.add(entry);
    if (this.#listeners.size === 0) return;
    const read = entryOf(entry);
    for (const listener of this.#listeners) listener(read);
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
    return changed.map(entryOf);
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
