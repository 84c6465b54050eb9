import type { components } from '@onenet-ota/sdk';
import type { DiffHow } from './domain/builtin-diffs.ts';
import type { Clock } from './domain/clock.ts';
import type { PlatformEvents } from './domain/events.ts';
import type { PlatformState } from './domain/records.ts';
import type { FaultRegistry } from './faults/registry.ts';
import type { RangeDialect } from './http/range.ts';
import type { Journal } from './journal/journal.ts';

/** Settings of a platform instance, with their defaults filled in. */
export interface Settings {
  rangeDialect: RangeDialect;
  /** Upgrade-token lifetime in platform milliseconds; 48 h as OneNET documents ("token有效期2天"). */
  tokenLifetimeMs: number;
  /** Largest package or patch upload, bytes. */
  maxUploadBytes: number;
  /** Largest body of every other request (JSON), bytes. */
  maxJsonBytes: number;
  /** All package and patch bytes the platform stores, together; past it uploads and generation answer 507. */
  maxStorageBytes: number;
  /** What the journal may hold, by its own estimate of each entry's size; the oldest entries go first. */
  journalMaxBytes: number;
  /** Check every JSON answer against the spec; `error` answers 500 with the violations instead. */
  validateResponses: 'off' | 'error';
  /** How many journal entries to keep; the oldest go first. */
  journalLimit: number;
  /**
   * The OneNET user account that owns every product here: its id and the key that signs the new platform's
   * user-level tokens (`res=userid/{uid}`). A new random key per platform unless given.
   */
  account: { uid: number; accessKey: string };
  /**
   * The demo seed's access keys: OneNET's published test-vector key and a fixed device key (`published`, what the
   * docs and a bench script can use as they are), or new random ones (`generated`), for a platform others can reach.
   */
  demoKeys: 'published' | 'generated';
  /**
   * Which tokens the new platform takes: `strict` (default) refuses what the field is known to refuse (a
   * product-level token, an `et` past 10 years: `tokenRules.fuse.fieldRefuses`); `lenient` takes what some clients
   * send and journals it as tolerated, so the conformance suite can warn (AUTH-003).
   */
  tokenRules: 'strict' | 'lenient';
  /**
   * The format online generation writes unless a request names another the generator lists: `vcdiff` for the
   * built-in encoder (default, or `vcdiff-lzma`); what the firmware team's own tool writes when it is given
   * (`commandDiffs`, `ota-mock --diff-cmd`), `unknown` when that is no format the spec names.
   */
  diffFormat: components['schemas']['DiffFormat'];
}

/** How the platform reaches push receivers: `fetch` by default; a test or an air-gapped bench passes its own. */
export type PushFetch = (request: Request) => Promise<Response>;

/** A saved copy of the platform's state (`/__mock/snapshots`). */
export interface SavedSnapshot {
  id: string;
  createdAt: number;
  state: PlatformState;
  faults: ReturnType<FaultRegistry['snapshot']>;
  clock: number;
}

/**
 * Makes a differential package from a base image and a target, as `how` asks. The core's default is the built-in
 * VCDIFF generator in process; the node door's `workerDiffs()` runs it on a worker thread so requests keep being
 * answered meanwhile; `commandDiffs()` runs the firmware team's tool. `formats` lists what it can write: the
 * built-in generators say `vcdiff` and `vcdiff-lzma`; a generator that does not say writes `settings.diffFormat`.
 */
export interface DiffGenerator {
  (base: Uint8Array, target: Uint8Array, how: DiffHow): Promise<Uint8Array>;
  readonly formats?: readonly components['schemas']['DiffFormat'][];
}

/** What every handler works with: one platform instance's state and services. */
export interface Context {
  generateDiff: DiffGenerator;
  state: PlatformState;
  clock: Clock;
  settings: Settings;
  journal: Journal;
  faults: FaultRegistry;
  snapshots: Map<string, SavedSnapshot>;
  events: PlatformEvents;
  /** How the platform reaches push receivers (legacy §2.13). */
  pushFetch: PushFetch;
  /** Writes what changed to the durable store, when the platform has one. */
  persist?: () => void;
}
