import type { components } from '@onenet-ota/sdk';

type Schemas = components['schemas'];

// The platform's state as plain data (Maps and records), so `structuredClone` snapshots it whole.
// Times are Unix milliseconds of the platform clock; the API shapes (RFC 3339) are made in management/serialize.ts.

/** A product: manufacturer and model codes and the access key product-level tokens are signed with. */
export interface ProductRecord {
  id: string;
  name: string;
  manuf: string;
  model: string;
  description: string;
  accessKey: string;
  /** The OTA generations its devices may speak; all of them when absent. */
  generations?: Schemas['Generation'][];
  /** The receiver of the legacy task push (protocol §2.13), verified when set. */
  push?: Required<Schemas['PushReceiver']>;
  /** How its differential packages are generated when a generation names nothing. */
  diffs?: Schemas['DiffSettings'];
  createdAt: number;
}

/** A device, its device key and the versions the platform recorded for it. */
export interface DeviceRecord {
  devId: number;
  productId: string;
  name: string;
  authInfo: string;
  accessKey: string;
  fVersion?: string;
  sVersion?: string;
  createdAt: number;
}

/** A named set of a product's devices. */
export interface GroupRecord {
  id: string;
  productId: string;
  name: string;
  description: string;
  devIds: number[];
  createdAt: number;
}

/** Bytes of a package or diff: held once, served by zero-copy views of ranges. */
export interface StoredFile {
  fileName: string;
  size: number;
  md5: string;
  bytes: Uint8Array;
}

export interface PackageRecord extends StoredFile {
  id: string;
  productId: string;
  name: string;
  module: Schemas['Module'];
  manuf: string;
  model: string;
  targetVersion: string;
  description: string;
  createdAt: number;
}

export interface DiffRecord extends StoredFile {
  id: string;
  packageId: string;
  productId: string;
  initialVersion: string;
  targetVersion: string;
  origin: Schemas['DiffOrigin'];
  format: Schemas['DiffFormat'];
  createdAt: number;
}

/** An upgrade task with its strategy and the devices it resolved. */
export interface TaskRecord {
  id: string;
  /** The number Studio and new-platform devices know the task by. */
  tid: number;
  productId: string;
  name: string;
  packageId: string;
  diffId?: string;
  initialVersion?: string;
  module: Schemas['Module'];
  targetVersion: string;
  targets: Schemas['TaskTargets'];
  strategy: Schemas['TaskStrategy'];
  state: Schemas['TaskState'];
  /** Devices resolved from `targets` when the task was created or last edited. */
  devIds: number[];
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  endedAt?: number;
}

/** One device's part in a task: its state in the OTA state machine, codes, progress and times. */
export interface DeviceTaskRecord {
  taskId: string;
  devId: number;
  state: Schemas['DeviceTaskState'];
  /** Where a `paused` device returns on resume (`$resumeTo` of the state machine). */
  resumeTo?: Schemas['DeviceTaskState'];
  lastCode?: number;
  lastErrno?: number;
  progress: number;
  retriesUsed: number;
  /** Highest package offset served to the device; a request that starts below it is a retry. */
  servedUpTo: number;
  /** The last download was cut short (reset, truncated, client gone): the next one is a retry. */
  downloadInterrupted?: boolean;
  fromVersion?: string;
  targetVersion: string;
  token?: string;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  downloadedAt?: number;
  finishedAt?: number;
}

/** An upgrade token: whose, for which task and file, when issued, and whether replaced or revoked. */
export interface TokenRecord {
  token: string;
  devId: number;
  taskId: string;
  issuedAt: number;
  /** The file the token was issued for, and its size then (a replaced package answers error byte 2). */
  file: { kind: 'package' | 'diff'; id: string; size: number };
  supersededBy?: string;
  revoked?: boolean;
}

/** A long-running platform job (online diff generation). */
export interface JobRecord {
  id: string;
  kind: 'diff-generation';
  status: Schemas['JobStatus'];
  progress: number;
  result?: { diffId: string; location: string };
  error?: Schemas['Problem'];
  createdAt: number;
  updatedAt: number;
}

/** Everything a platform instance holds; nothing is shared between instances. */
export interface PlatformState {
  products: Map<string, ProductRecord>;
  devices: Map<number, DeviceRecord>;
  groups: Map<string, GroupRecord>;
  packages: Map<string, PackageRecord>;
  diffs: Map<string, DiffRecord>;
  tasks: Map<string, TaskRecord>;
  /** Keyed `${taskId}/${devId}`. */
  deviceTasks: Map<string, DeviceTaskRecord>;
  tokens: Map<string, TokenRecord>;
  jobs: Map<string, JobRecord>;
  /** Next number per id kind, so ids are deterministic within a run (`pkg_1`, `pkg_2`, …). */
  counters: Record<string, number>;
}

export function emptyState(): PlatformState {
  return {
    products: new Map(),
    devices: new Map(),
    groups: new Map(),
    packages: new Map(),
    diffs: new Map(),
    tasks: new Map(),
    deviceTasks: new Map(),
    tokens: new Map(),
    jobs: new Map(),
    counters: {},
  };
}

/** The next id of a kind: `grp_1`, `pkg_2`, …; products and devices get numbers as OneNET's do. */
export function nextId(state: PlatformState, kind: string): string {
  const n = (state.counters[kind] ?? 0) + 1;
  state.counters[kind] = n;
  return `${kind}_${n}`;
}

/** The next number of a kind (a task's `tid`: 1, 2, …). */
export function nextNumber(state: PlatformState, kind: string): number {
  const n = (state.counters[kind] ?? 0) + 1;
  state.counters[kind] = n;
  return n;
}

/** The key of a device's status in a task (`deviceTasks`): `tsk_1/32981907`. */
export function deviceTaskKey(taskId: string, devId: number): string {
  return `${taskId}/${devId}`;
}

// A token names one device in one task for its life, and a device calls with it for every fragment: its key is
// made once (a string made per call is hashed again by every lookup).
const tokenKeys = new WeakMap<TokenRecord, string>();

/** The key of the device task a token was issued for, as {@link deviceTaskKey}. */
export function deviceTaskKeyOf(token: TokenRecord): string {
  let key = tokenKeys.get(token);
  if (key === undefined) {
    key = deviceTaskKey(token.taskId, token.devId);
    tokenKeys.set(token, key);
  }
  return key;
}
