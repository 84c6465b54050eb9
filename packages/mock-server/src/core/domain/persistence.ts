import type { Context, SavedSnapshot } from '../context.ts';
import type { JournalEntry } from '../journal/journal.ts';
import { emptyState, nextNumber, type PlatformState } from './records.ts';
import { TrackedMap } from './tracked-map.ts';

// A durable platform: after every request (before its answer goes out) and whenever a streamed body or a background
// job finishes, the records that request touched are compared with what the store holds and the changed ones are
// written in one transaction. The platform code is the same over memory or a store; only this layer knows.

/** Where a durable platform keeps itself. `openDataDir()` of `@onenet-ota/mock-server/node` gives one on SQLite. */
export interface StateStore {
  /** What was kept, or nothing for a new store. */
  load(): StoredPlatform | undefined;
  /** Writes one batch atomically: blobs first, then every row, in one transaction. */
  write(batch: StoreBatch): void;
  /** Releases the store (the database, the directory's lock). */
  close(): void;
}

/** The collections of the platform's state, each a row kind in the store. */
export type Collection = Exclude<keyof PlatformState, 'counters'>;

/** What one sync writes. Keys and records are JSON text; a record's bytes go to a blob named by content. */
export interface StoreBatch {
  /** Rows to write, or to delete where `json` is null. */
  records: { kind: Collection; key: string; json: string | null }[];
  /** Package and patch bytes the store may not hold yet, by content id (`md5-size`). */
  blobs: { id: string; bytes: Uint8Array }[];
  /** Counters, the clock, the faults, the journal's next sequence number. */
  meta: { key: string; json: string }[];
  snapshots: { id: string; json: string | null }[];
  /** Journal entries added or completed, and the oldest sequence number still kept (older rows go). */
  journal: { entries: { seq: number; json: string }[]; keepFrom: number };
}

/** What a store loads. */
export interface StoredPlatform {
  records: { kind: string; key: string; json: string }[];
  meta: Record<string, string>;
  snapshots: { id: string; json: string }[];
  /** Journal entries as JSON, in sequence order. */
  journal: string[];
  /** The bytes of a blob. */
  blob(id: string): Uint8Array;
}

/**
 * Collections whose iteration counts as touching every record: small ones that handlers change while iterating
 * (the scheduler starts tasks, deleting a device edits groups). Devices, their task status and tokens are
 * iterated read-only, and there may be thousands.
 */
const collections: Record<Collection, boolean> = {
  products: true,
  devices: false,
  groups: true,
  packages: true,
  diffs: true,
  tasks: true,
  deviceTasks: false,
  tokens: false,
  jobs: true,
};

type Encoded = { json: string; blob?: { id: string; bytes: Uint8Array } };

// A package or patch keeps its bytes in a blob named by MD5 and size; every other record is its JSON.
function encode(record: object): Encoded {
  if (!('bytes' in record)) return { json: JSON.stringify(record) };
  const { bytes, ...rest } = record as { bytes: Uint8Array; md5: string; size: number };
  const id = `${rest.md5}-${rest.size}`;
  return { json: JSON.stringify({ ...rest, blob: id }), blob: { id, bytes } };
}

function decode(json: string, blob: (id: string) => Uint8Array): unknown {
  const value = JSON.parse(json) as { blob?: string };
  if (typeof value.blob !== 'string') return value;
  const { blob: id, ...rest } = value;
  return { ...rest, bytes: blob(id) };
}

/** Keeps a platform's state in a store, writing what each request changed. */
export class Persistence {
  readonly #ctx: Context;
  readonly #store: StateStore;
  /** `kind\0key` → the JSON the store holds. */
  readonly #rows = new Map<string, string>();
  readonly #meta = new Map<string, string>();
  readonly #snapshots = new Set<string>();
  readonly #blobs = new Set<string>();

  constructor(ctx: Context, store: StateStore, loaded?: StoredPlatform) {
    this.#ctx = ctx;
    this.#store = store;
    for (const row of loaded?.records ?? []) {
      this.#rows.set(`${row.kind}\0${row.key}`, row.json);
      const blob = (JSON.parse(row.json) as { blob?: string }).blob;
      if (blob) this.#blobs.add(blob);
    }
    for (const [key, json] of Object.entries(loaded?.meta ?? {})) this.#meta.set(key, json);
    for (const snapshot of loaded?.snapshots ?? []) this.#snapshots.add(snapshot.id);
  }

  /** Writes every change since the last sync, in one transaction. */
  sync(): void {
    const batch: StoreBatch = {
      records: [],
      blobs: [],
      meta: [],
      snapshots: [],
      journal: { entries: [], keepFrom: 0 },
    };
    const state = this.#ctx.state;
    for (const kind of Object.keys(collections) as Collection[]) {
      let map = state[kind] as Map<unknown, object>;
      if (!(map instanceof TrackedMap)) {
        // Replaced whole (reset, snapshot restore, first sync): rows of keys it no longer has go.
        const fresh = TrackedMap.from(map, collections[kind]);
        (state as unknown as Record<Collection, Map<unknown, object>>)[kind] = fresh;
        const present = new Set([...map.keys()].map((key) => JSON.stringify(key)));
        for (const id of this.#rows.keys()) {
          const [rowKind, key] = id.split('\0') as [string, string];
          if (rowKind === kind && !present.has(key)) {
            this.#rows.delete(id);
            batch.records.push({ kind, key, json: null });
          }
        }
        map = fresh;
      }
      const tracked = map as TrackedMap<unknown, object>;
      for (const key of tracked.drain()) this.#record(batch, kind, key, tracked.peek(key));
    }
    this.#metaRow(batch, 'counters', JSON.stringify(state.counters));
    if (this.#ctx.clock.mode === 'virtual') this.#metaRow(batch, 'clock', JSON.stringify(this.#ctx.clock.now()));
    this.#metaRow(batch, 'faults', JSON.stringify(this.#ctx.faults));
    this.#snapshotRows(batch);
    const journal = this.#ctx.journal;
    const entries = journal.drainChanged();
    batch.journal = {
      entries: entries.map((entry) => ({ seq: entry.seq, json: JSON.stringify(entry) })),
      keepFrom: journal.firstSeq(),
    };
    this.#metaRow(batch, 'journalNextSeq', JSON.stringify(journal.nextSeq()));
    try {
      this.#store.write(batch);
    } catch (error) {
      this.#forget(batch, entries);
      throw error;
    }
  }

  // The store refused a batch (disk full, I/O error): forget that it was written and mark it all touched again,
  // so the next sync retries every part of it rather than lose it.
  #forget(batch: StoreBatch, entries: JournalEntry[]): void {
    for (const { kind, key } of batch.records) {
      this.#rows.set(`${kind}\0${key}`, '\0unwritten');
      const map = this.#ctx.state[kind];
      if (map instanceof TrackedMap) map.touch(JSON.parse(key));
    }
    for (const { id } of batch.blobs) this.#blobs.delete(id);
    for (const { key } of batch.meta) this.#meta.delete(key);
    for (const { id } of batch.snapshots) this.#snapshots.delete(id);
    for (const entry of entries) this.#ctx.journal.markChanged(entry);
  }

  #record(batch: StoreBatch, kind: Collection, key: unknown, value: object | undefined): void {
    const keyText = JSON.stringify(key);
    const id = `${kind}\0${keyText}`;
    if (value === undefined) {
      if (this.#rows.delete(id)) batch.records.push({ kind, key: keyText, json: null });
      return;
    }
    const { json, blob } = encode(value);
    if (this.#rows.get(id) === json) return;
    this.#rows.set(id, json);
    batch.records.push({ kind, key: keyText, json });
    if (blob && !this.#blobs.has(blob.id)) {
      this.#blobs.add(blob.id);
      batch.blobs.push(blob);
    }
  }

  #metaRow(batch: StoreBatch, key: string, json: string): void {
    if (this.#meta.get(key) === json) return;
    this.#meta.set(key, json);
    batch.meta.push({ key, json });
  }

  // Snapshots never change once taken: write the new ones, delete the gone ones (a reset forgets them).
  #snapshotRows(batch: StoreBatch): void {
    for (const [id, snapshot] of this.#ctx.snapshots) {
      if (this.#snapshots.has(id)) continue;
      this.#snapshots.add(id);
      const collectionsOf: Record<string, [string, string][]> = {};
      for (const kind of Object.keys(collections) as Collection[]) {
        collectionsOf[kind] = [...(snapshot.state[kind] as Map<unknown, object>)].map(([key, value]) => {
          const { json, blob } = encode(value);
          if (blob && !this.#blobs.has(blob.id)) {
            this.#blobs.add(blob.id);
            batch.blobs.push(blob);
          }
          return [JSON.stringify(key), json];
        });
      }
      const { state, ...rest } = snapshot;
      batch.snapshots.push({
        id,
        json: JSON.stringify({ ...rest, counters: state.counters, collections: collectionsOf }),
      });
    }
    for (const id of this.#snapshots) {
      if (this.#ctx.snapshots.has(id)) continue;
      this.#snapshots.delete(id);
      batch.snapshots.push({ id, json: null });
    }
  }
}

/** Puts what a store kept back into a fresh platform: records, counters, clock, faults, snapshots, journal. */
export function restorePlatform(ctx: Context, stored: StoredPlatform): void {
  const blobs = new Map<string, Uint8Array>();
  const blob = (id: string) => {
    const known = blobs.get(id);
    if (known) return known;
    const bytes = stored.blob(id);
    blobs.set(id, bytes);
    return bytes;
  };
  const stateOf = (rows: Iterable<{ kind: string; key: string; json: string }>, counters: string | undefined) => {
    const state = emptyState();
    for (const row of rows) {
      const map = (state as unknown as Record<string, Map<unknown, unknown> | undefined>)[row.kind];
      map?.set(JSON.parse(row.key), decode(row.json, blob));
    }
    state.counters = counters ? (JSON.parse(counters) as Record<string, number>) : {};
    // Tasks kept by a version without `tid` get one now.
    for (const task of state.tasks.values()) task.tid ??= nextNumber(state, 'tid');
    return state;
  };
  Object.assign(ctx.state, stateOf(stored.records, stored.meta.counters));
  const clock = stored.meta.clock;
  if (clock && ctx.clock.mode === 'virtual') ctx.clock.set(JSON.parse(clock) as number);
  if (stored.meta.faults) ctx.faults.restore(JSON.parse(stored.meta.faults));
  for (const row of stored.snapshots) {
    const saved = JSON.parse(row.json) as Omit<SavedSnapshot, 'state'> & {
      counters: Record<string, number>;
      collections: Record<string, [string, string][]>;
    };
    const rows = Object.entries(saved.collections).flatMap(([kind, pairs]) =>
      pairs.map(([key, json]) => ({ kind, key, json })),
    );
    const { collections: _rows, counters, ...rest } = saved;
    ctx.snapshots.set(row.id, { ...rest, state: stateOf(rows, JSON.stringify(counters)) });
  }
  const nextSeq = stored.meta.journalNextSeq ? (JSON.parse(stored.meta.journalNextSeq) as number) : 1;
  ctx.journal.restore(
    stored.journal.map((json) => JSON.parse(json) as JournalEntry),
    nextSeq,
  );
}
