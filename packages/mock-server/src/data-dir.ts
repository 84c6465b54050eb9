import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { newAccessKey } from './core/domain/ids.ts';
import type { StateStore, StoreBatch, StoredPlatform } from './core/domain/persistence.ts';

// A data directory: `platform.db`, an SQLite database in WAL mode (node:sqlite, built into Node 24: no native
// build) holding every record, snapshot and journal entry as JSON rows; `blobs/`, package and patch bytes as files
// named by content (`md5-size`), written before the rows that name them; `lock`, the pid of the server using it
// (for the message only: the lock itself is SQLite's). WAL with synchronous=NORMAL survives a killed process (what a bench sees: SIGKILL, a crash, Ctrl-C twice); a
// power cut may lose the last transactions, never the database.

/** The version of the rows' layout; a directory written by another refuses to open, rather than be misread. */
const layout = 1;

/** Refused to open a data directory: in use by a live server, or written by an unknown layout. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** Opens (creating if needed) a data directory as a durable store for `createPlatform({ store })`. */
export function openDataDir(dir: string): StateStore {
  const sqlite = loadSqlite();
  mkdirSync(join(dir, 'blobs'), { recursive: true });
  const db = new sqlite.DatabaseSync(join(dir, 'platform.db'));
  let release = () => db.close();
  try {
    release = lock(db, dir);
    db.exec(`
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS snapshots (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, json TEXT NOT NULL);
    `);
    const found = db.prepare(`SELECT json FROM meta WHERE key = 'layout'`).get() as { json: string } | undefined;
    if (found && Number(found.json) !== layout)
      throw new DataDirError(`${dir} was written with data layout ${found.json}; this ota-mock reads layout ${layout}`);
    db.prepare(`INSERT OR REPLACE INTO meta (key, json) VALUES ('layout', ?)`).run(String(layout));
  } catch (error) {
    release();
    throw error;
  }
  const statements = {
    upsert: db.prepare('INSERT OR REPLACE INTO records (kind, key, json) VALUES (?, ?, ?)'),
    remove: db.prepare('DELETE FROM records WHERE kind = ? AND key = ?'),
    meta: db.prepare('INSERT OR REPLACE INTO meta (key, json) VALUES (?, ?)'),
    snapshot: db.prepare('INSERT OR REPLACE INTO snapshots (id, json) VALUES (?, ?)'),
    dropSnapshot: db.prepare('DELETE FROM snapshots WHERE id = ?'),
    entry: db.prepare('INSERT OR REPLACE INTO journal (seq, json) VALUES (?, ?)'),
    prune: db.prepare('DELETE FROM journal WHERE seq < ?'),
  };
  const blobPath = (id: string) => join(dir, 'blobs', id.replace(/[^0-9a-f-]/g, ''));

  return {
    load() {
      const records = db.prepare('SELECT kind, key, json FROM records').all() as StoredPlatform['records'];
      const meta = Object.fromEntries(
        (db.prepare('SELECT key, json FROM meta').all() as { key: string; json: string }[]).map((m) => [m.key, m.json]),
      );
      const snapshots = db.prepare('SELECT id, json FROM snapshots').all() as StoredPlatform['snapshots'];
      if (records.length === 0 && snapshots.length === 0 && meta.counters === undefined) return undefined;
      const journal = (db.prepare('SELECT json FROM journal ORDER BY seq').all() as { json: string }[]).map(
        (row) => row.json,
      );
      removeUnusedBlobs(dir, [...records, ...snapshots]);
      return { records, meta, snapshots, journal, blob: (id) => asBytes(readFileSync(blobPath(id))) };
    },

    write(batch: StoreBatch) {
      for (const { id, bytes } of batch.blobs) {
        const path = blobPath(id);
        if (existsSync(path)) continue;
        // Written whole under another name, then renamed: a blob file is complete or absent.
        writeFileSync(`${path}.partial`, bytes);
        renameSync(`${path}.partial`, path);
      }
      transaction(db, () => {
        for (const { kind, key, json } of batch.records) {
          if (json === null) statements.remove.run(kind, key);
          else statements.upsert.run(kind, key, json);
        }
        for (const { key, json } of batch.meta) statements.meta.run(key, json);
        for (const { id, json } of batch.snapshots) {
          if (json === null) statements.dropSnapshot.run(id);
          else statements.snapshot.run(id, json);
        }
        for (const { seq, json } of batch.journal.entries) statements.entry.run(seq, json);
        statements.prune.run(batch.journal.keepFrom);
      });
    },

    close() {
      release();
    },
  };
}

// Loaded when a data directory is opened, not when this module is: everything else runs on a Node without it.
function loadSqlite(): typeof import('node:sqlite') {
  try {
    return createRequire(import.meta.url)('node:sqlite') as typeof import('node:sqlite');
  } catch {
    throw new DataDirError(`--data-dir needs node:sqlite (Node 22.13 or later); this is Node ${process.versions.node}`);
  }
}

function transaction(db: DatabaseSync, work: () => void): void {
  db.exec('BEGIN');
  try {
    work();
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * One server per directory: two would each write their own view over the other's. The database is held in
 * SQLite's exclusive locking mode, taken by a write before anything is read: an OS lock (fcntl) that exactly one
 * opener gets, however close together two start, and that the kernel drops when its process ends, also one killed
 * and left a zombie. The pid beside it only names the holder in the refusal. Returns what closes and unlocks.
 */
function lock(db: DatabaseSync, dir: string): () => void {
  const pidFile = join(dir, 'lock');
  try {
    // Before WAL is entered: in exclusive mode the WAL index lives in this process, not in a shared file.
    db.exec('PRAGMA busy_timeout = 250; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL;');
    db.exec(
      'BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID; COMMIT',
    );
  } catch (error) {
    if (!/locked|busy/i.test(String(error))) throw error;
    const pid = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '';
    throw new DataDirError(
      `${dir} is in use by another ota-mock${/^\d+$/.test(pid) ? ` (pid ${pid})` : ''}; stop it or choose another --data-dir`,
    );
  }
  writeFileSync(pidFile, String(process.pid));
  return () => {
    db.close();
    rmSync(pidFile, { force: true });
  };
}

// Blobs no record or snapshot names any more (deleted packages), and partial files a kill left behind. In a
// snapshot the records are JSON inside JSON, so the name's quotes come escaped.
function removeUnusedBlobs(dir: string, rows: { json: string }[]): void {
  const used = new Set<string>();
  for (const row of rows)
    for (const match of row.json.matchAll(/\\*"blob\\*":\\*"([0-9a-f]+-\d+)/g)) used.add(match[1] ?? '');
  for (const name of readdirSync(join(dir, 'blobs'))) {
    if (!used.has(name)) rmSync(join(dir, 'blobs', name), { force: true });
  }
}

/**
 * The platform's user account kept beside the data (`account.json`): created on first use with a random key, so
 * user-level tokens a device was given (`res=userid/{uid}`) keep working after a restart.
 */
export function accountIn(dir: string): { uid: number; accessKey: string } {
  const file = join(dir, 'account.json');
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { uid?: unknown; accessKey?: unknown };
    if (typeof kept.uid === 'number' && typeof kept.accessKey === 'string')
      return { uid: kept.uid, accessKey: kept.accessKey };
    throw new DataDirError(`${file} is not an account ({"uid": <number>, "accessKey": "<base64>"})`);
  }
  const account = { uid: 1, accessKey: newAccessKey() };
  writeFileSync(file, `${JSON.stringify(account)}\n`, { mode: 0o600 });
  return account;
}

/** A Buffer as a plain Uint8Array over the same memory: `new Uint8Array(buffer)` would copy a whole package. */
function asBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
