import { type components, Md5 } from '@onenet-ota/sdk';
import { HeldCall, jsonKeptBytes, redactKeys } from './call-record.ts';
import type { JournalEntry, LogBrief, LoggedEntry } from './journal-entry.ts';
import { PackedCalls, type PackedRef } from './kept-calls.ts';

export type { JournalEntry, LogBrief, LoggedEntry } from './journal-entry.ts';

type BodySummary = components['schemas']['BodySummary'];
/** One input the platform served although OneNET's docs or HTTP say otherwise (spec `JournalEntry.tolerated`). */
export type Tolerated = NonNullable<JournalEntry['tolerated']>[number];

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
 *
 * A call still being answered is kept as the object the platform completes; once complete it is packed into bytes
 * (`core/journal/kept-calls.ts`) and kept as where its record starts, made an object again only when read.
 */
export class Journal {
  /** In `seq` order: a call or entry still open, or where a finished one is packed. */
  #entries: (Kept | PackedRef)[] = [];
  #packed: PackedCalls;
  #nextSeq = 1;
  /** The `seq` of entries added or completed since a durable store last drained them; only kept when one asks. */
  #changed: Set<number> | undefined;
  readonly #listeners = new Set<(entry: JournalEntry) => void>();
  readonly #loggers = new Set<(brief: LogBrief, read: () => LoggedEntry) => void>();
  readonly #limit: number;
  readonly #maxBytes: number;

  /**
   * Keeps the newest `limit` entries within `maxBytes` of packed records (the oldest chunk of them is reused when
   * full), so a platform running for days does not grow without bound. Calls still being answered are not counted.
   */
  constructor(limit = 100_000, maxBytes = 64 * 1024 * 1024) {
    this.#limit = limit;
    this.#maxBytes = maxBytes;
    this.#packed = this.#newStore();
  }

  #newStore(): PackedCalls {
    return new PackedCalls(this.#maxBytes, {
      firstSeq: () => this.firstSeq(),
      dropThrough: (seq) => this.#entries.splice(0, this.#firstAfter(seq)),
    });
  }

  /** Adds an entry; its response fields may still be completed when a streamed body ends. */
  add(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full = { seq: this.#nextSeq++, ...entry } as JournalEntry;
    this.#keep(full);
    return full;
  }

  /** Adds an HTTP call, numbered now; what it holds may still be completed when its body ends. */
  hold(call: HeldCall): HeldCall {
    call.seq = this.#nextSeq++;
    this.#keep(call);
    return call;
  }

  #keep(kept: Kept): void {
    this.#entries.push(kept);
    this.#changed?.add(kept.seq);
    // Drop the oldest tenth at once rather than one entry per request.
    if (this.#entries.length > this.#limit) this.#entries.splice(0, Math.ceil(this.#entries.length / 10));
  }

  /** The entry of what is kept, packed or not. */
  #read(kept: Kept | PackedRef): JournalEntry {
    return entryOf(typeof kept === 'number' ? this.#packed.unpack(kept) : kept);
  }

  #seqAt(index: number): number {
    const kept = this.#entries[index] as Kept | PackedRef;
    return typeof kept === 'number' ? this.#packed.seqOf(kept) : kept.seq;
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
    const packed = this.#packed;
    for (let i = this.#firstAfter(since); i < this.#entries.length && entries.length < limit; i++) {
      const kept = this.#entries[i] as Kept | PackedRef;
      // A packed call is filtered on its header's numbers and unpacked only when it is read.
      const isPacked = typeof kept === 'number';
      if (
        (devId === undefined || (isPacked ? packed.devIdOf(kept) : kept.devId) === devId) &&
        (operation === undefined || (isPacked ? packed.operationOf(kept) : kept.operation) === operation)
      )
        entries.push(this.#read(kept));
    }
    return { entries, nextSeq: this.#nextSeq };
  }

  /** Where an open entry is, -1 when it is not kept as itself. */
  #indexOf(entry: Kept): number {
    // Calls complete soon after they came, among the newest: looked for from the end first, by identity.
    const entries = this.#entries;
    const stop = Math.max(entries.length - 64, 0);
    for (let i = entries.length - 1; i >= stop; i--) if (entries[i] === entry) return i;
    const index = this.#firstAfter(entry.seq - 1);
    return entries[index] === entry ? index : -1;
  }

  /** The index of the first entry with `seq` greater than `since`. */
  #firstAfter(since: number): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#seqAt(middle) > since) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * Marks an entry complete: its answer has gone out (a streamed body ended, or was cut short). A durable store
   * writes it again; listeners (the request log) see it now, with the bytes served and the faults applied. It is
   * packed then: nothing changes a complete entry.
   */
  complete(entry: Kept): void {
    this.#changed?.add(entry.seq);
    if (this.#listeners.size > 0) {
      const read = entryOf(entry);
      for (const listener of this.#listeners) listener(read);
    }
    if (this.#loggers.size > 0) {
      // The brief is read off the entry's own fields; the whole view only if a logger asks for it.
      const held = entry instanceof HeldCall;
      const brief: LogBrief = {
        time: held ? entry.time : Date.parse(entry.time),
        operation: entry.operation,
        devId: entry.devId,
        errno: entry.errno,
        status: held ? entry.status : entry.response.status,
      };
      const read = held ? () => entry.toLogged() : () => entry;
      for (const logger of this.#loggers) logger(brief, read);
    }
    // Not there any more (dropped as one of the oldest), or packed already (completed twice).
    if (this.#indexOf(entry) < 0) return;
    const ref = this.#packed.pack(entry);
    // Found again after packing, which may have reused the oldest chunk and so moved every later entry.
    const index = ref === undefined ? -1 : this.#indexOf(entry);
    if (index >= 0) this.#entries[index] = ref as PackedRef;
  }

  /** Marks an entry for a durable store to write again (a write that failed). */
  markChanged(entry: JournalEntry): void {
    this.#changed?.add(entry.seq);
  }

  /** Calls `listener` with every entry as it completes; returns the function that stops it. */
  onComplete(listener: (entry: JournalEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `logger` with what the request log prints of every entry as it completes; returns the unsubscribe. */
  onCompleteLogged(logger: (entry: LoggedEntry) => void): () => void {
    return this.onCompleteBrief((_brief, read) => logger(read()));
  }

  /**
   * Calls `logger` with the few facts of every entry that completes and a way to read what the request log prints
   * of it: a logger that groups calls under load (`PacedLog`) reads the view only for the lines it prints.
   */
  onCompleteBrief(logger: (brief: LogBrief, read: () => LoggedEntry) => void): () => void {
    this.#loggers.add(logger);
    return () => this.#loggers.delete(logger);
  }

  /** Starts keeping the entries a durable store has yet to write. */
  trackChanges(): void {
    this.#changed ??= new Set();
  }

  /** The entries added or completed since the last drain that are still kept. */
  drainChanged(): JournalEntry[] {
    if (!this.#changed || this.#changed.size === 0) return [];
    const changed: JournalEntry[] = [];
    for (const seq of [...this.#changed].sort((a, b) => a - b)) {
      const index = this.#firstAfter(seq - 1);
      if (index < this.#entries.length && this.#seqAt(index) === seq) {
        changed.push(this.#read(this.#entries[index] as Kept | PackedRef));
      }
    }
    this.#changed.clear();
    return changed;
  }

  /** The oldest `seq` still kept (the next one when the journal is empty). */
  firstSeq(): number {
    return this.#entries.length > 0 ? this.#seqAt(0) : this.#nextSeq;
  }

  /** The `seq` the next entry gets. */
  nextSeq(): number {
    return this.#nextSeq;
  }

  /** Puts back entries a durable store kept, oldest first, and where numbering goes on. */
  restore(entries: JournalEntry[], nextSeq: number): void {
    this.clear();
    for (const entry of entries) {
      this.#entries.push(entry);
      const ref = this.#packed.pack(entry);
      if (ref !== undefined) this.#entries[this.#entries.length - 1] = ref;
    }
    if (this.#entries.length > this.#limit) this.#entries.splice(0, this.#entries.length - this.#limit);
    this.#nextSeq = Math.max(nextSeq, (entries.at(-1)?.seq ?? 0) + 1);
  }

  /** Removes every entry; `seq` keeps counting. */
  clear(): void {
    this.#entries = [];
    this.#packed = this.#newStore();
  }
}

/**
 * Summarises a body: JSON up to 2 KiB in full (access keys redacted), text up to 2 KiB in full, anything else as
 * size and md5 (a body kept whole needs no digest). `asJson`: the platform read it as JSON whatever its type (a
 * device's report sent without `Content-Type`), so the journal keeps what it read.
 */
export function summarizeBody(
  bytes: Uint8Array,
  contentType: string | null,
  md5?: string,
  asJson = contentType?.includes('json') ?? false,
): BodySummary {
  const summary: BodySummary = { size: bytes.length };
  if (contentType) summary.contentType = contentType;
  if (asJson && bytes.length <= jsonKeptBytes) {
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
