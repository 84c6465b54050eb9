import { type components, createManagementClient, type FetchLike, uploadPackage } from '@onenet-ota/sdk';
import { demoImage } from '../core/domain/seed.ts';
import type { Platform } from '../core/machinery.ts';
import { createPlatform } from '../platform.ts';
import { type DeviceRun, runDevice } from './device.ts';
import { deviceProfile, type FleetMix, presets } from './profile.ts';
import { seededRandom } from './random.ts';
import { VirtualTime } from './virtual-time.ts';

/** What {@link runFleet} simulates. Everything has a default; `preset: 'city'` is ten thousand devices. */
export interface FleetOptions {
  preset?: keyof typeof presets;
  /** How many devices (the preset's by default). */
  devices?: number;
  /** Same seed, same fleet and, with the in-process platform, the same outcome. */
  seed?: string;
  /** Package size in bytes; 256 KiB by default. */
  packageSize?: number;
  /** The task's strategy: thresholds, retries, a scheduled start and a deadline (ms after the rollout begins). */
  strategy?: {
    signal?: number;
    power?: number;
    retry?: { count: number; intervalSeconds: number } | 'none';
    startAfterMs?: number;
    deadlineAfterMs?: number;
  };
  /** Tester actions at these platform times after the rollout begins. */
  pauseAtMs?: number;
  resumeAtMs?: number;
  cancelAtMs?: number;
  /** Devices stop polling after this much platform time; 72 h by default. */
  durationMs?: number;
  /** A timeline sample every this much platform time; 5 min by default. */
  sampleEveryMs?: number;
  /** A running `ota-mock` (with `--clock virtual`) to simulate against, over HTTP; an in-process one by default. */
  baseUrl?: string;
  /** Its admin token, when it listens beyond loopback. */
  adminToken?: string;
  /** Called with each timeline sample as it is taken. */
  onSample?: (sample: FleetSample) => void;
  /** Told the bytes of package served so far, as they grow (for a progress bar). */
  onBytes?: (total: number) => void;
}

/** The task's devices per state at one platform time. */
export interface FleetSample {
  /** Platform ms since the rollout began. */
  atMs: number;
  byState: components['schemas']['TaskStats']['byState'];
}

/** What a fleet run found. */
export interface FleetResult {
  seed: string;
  devices: number;
  packageSize: number;
  strategy: components['schemas']['TaskStrategy'];
  /** Final devices per state, and the last code each device reported, counted. */
  byState: components['schemas']['TaskStats']['byState'];
  lastCodes: Record<string, number>;
  /** Platform time from a device's first sight of the task to its 201, in ms: percentiles and the mean. */
  upgradeMs: { p50: number; p90: number; p99: number; max: number } | undefined;
  /** Platform time the whole rollout took, until the last device finished or gave up. */
  platformMs: number;
  bytesServed: number;
  /** Bytes served divided by package size × devices that upgraded. */
  bytesPerUpgrade: number;
  retries: number;
  reboots: number;
  timeline: FleetSample[];
  wallMs: number;
}

const hour = 3_600_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Rolls a package out to a simulated fleet through the management API, on the platform's virtual clock: each
 * device a seeded profile running the SDK's agent (see `runDevice`). Returns the outcome and a timeline.
 *
 * @example
 * const result = await runFleet({ preset: 'city', devices: 1000, strategy: { power: 20, signal: 10 } });
 * console.log(result.byState.succeeded, result.upgradeMs?.p90);
 */
export async function runFleet(options: FleetOptions = {}): Promise<FleetResult> {
  const wallStart = performance.now();
  const preset = presets[options.preset ?? 'city'];
  const count = options.devices ?? preset.devices;
  const seed = options.seed ?? 'ota-fleet';
  const random = seededRandom(seed);
  const packageSize = options.packageSize ?? 256 * 1024;
  const local: Platform | undefined = options.baseUrl
    ? undefined
    : createPlatform({ seed: 'none', clock: 'virtual', startAt: Date.UTC(2026, 0, 1), journalLimit: 1000 });
  const baseUrl = options.baseUrl ?? 'http://ota.heclouds.com';
  // In process, the devices read answers only through Response's methods: JSON answers stay the platform's own.
  const fetch: FetchLike = local
    ? (request) => local.fetch(request, { lazyBodies: true })
    : (request) => globalThis.fetch(request);
  const admin = createManagementClient({
    baseUrl,
    fetch,
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
  });
  const clockNow = async () => Date.parse((await admin.GET('/__mock/clock')).data?.now ?? '');
  let mirror = local ? local.clock.now() : await clockNow();
  const clock = local?.clock ?? {
    mode: 'virtual' as const,
    now: () => mirror,
    set: (ms: number) => {
      mirror = ms;
    },
    advance: (ms: number) => {
      mirror += ms;
    },
  };
  const time = new VirtualTime(clock, local ? undefined : (ms) => setRemoteClock(admin, ms));

  const manuf = '100';
  const model = '10001';
  const product = await admin.POST('/api/v1/products', { body: { name: `fleet ${seed}`, manuf, model } });
  if (!product.data) throw new Error(`cannot create the product: ${JSON.stringify(product.error)}`);
  const productId = product.data.id;
  const accessKey = product.data.accessKey ?? '';
  const devIds: number[] = [];
  for (let i = 0; i < count; i++) {
    const { data, error } = await admin.POST('/api/v1/products/{productId}/devices', {
      params: { path: { productId } },
      body: { name: `dev-${String(i).padStart(6, '0')}`, sVersion: 'V1.0' },
    });
    if (!data) throw new Error(`cannot create device ${i}: ${JSON.stringify(error)}`);
    devIds.push(data.devId);
  }
  const pkg = await uploadPackage(
    admin,
    productId,
    { name: 'fleet-app', module: 'sota', targetVersion: 'V2.0', fileName: 'app.bin' },
    demoImage(packageSize, 7),
  );
  if (!pkg.data) throw new Error(`cannot upload the package: ${JSON.stringify(pkg.error)}`);
  // Groups of at most 10 000 devices each (a task takes 10 000 devices or 100 groups).
  const groupIds: string[] = [];
  for (let i = 0; i < devIds.length; i += 10_000) {
    const { data, error } = await admin.POST('/api/v1/products/{productId}/groups', {
      params: { path: { productId } },
      body: { name: `fleet-${i / 10_000}`, devIds: devIds.slice(i, i + 10_000) },
    });
    if (!data) throw new Error(`cannot create a group: ${JSON.stringify(error)}`);
    groupIds.push(data.id);
  }
  const startedAt = clock.now();
  const s = options.strategy ?? {};
  const retry = s.retry ?? { count: 3, intervalSeconds: 300 };
  const task = await admin.POST('/api/v1/products/{productId}/tasks', {
    params: { path: { productId } },
    body: {
      name: 'fleet rollout',
      packageId: pkg.data.id,
      targets: { groupIds },
      strategy: {
        signal: s.signal ?? 10,
        power: s.power ?? 20,
        retry: retry === 'none' ? { mode: 'none' } : { mode: 'retry', ...retry },
        start:
          s.startAfterMs === undefined
            ? { mode: 'manual' }
            : { mode: 'scheduled', at: new Date(startedAt + s.startAfterMs).toISOString() },
        ...(s.deadlineAfterMs === undefined ? {} : { deadline: new Date(startedAt + s.deadlineAfterMs).toISOString() }),
      },
    },
  });
  if (!task.data) throw new Error(`cannot create the task: ${JSON.stringify(task.error)}`);
  const taskPath = { productId, taskId: task.data.id };
  const control = (action: 'start' | 'pause' | 'resume' | 'cancel') =>
    admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', { params: { path: { ...taskPath, action } } });
  if (s.startAfterMs === undefined) await control('start');
  for (const [atMs, action] of [
    [options.pauseAtMs, 'pause'],
    [options.resumeAtMs, 'resume'],
    [options.cancelAtMs, 'cancel'],
  ] as const) {
    if (atMs !== undefined) time.at(startedAt + atMs, async () => void (await control(action)));
  }

  const timeline: FleetSample[] = [];
  const sample = async () => {
    const { data } = await admin.GET('/api/v1/products/{productId}/tasks/{taskId}/stats', {
      params: { path: taskPath },
    });
    if (!data) return;
    const entry = { atMs: clock.now() - startedAt, byState: data.byState };
    timeline.push(entry);
    options.onSample?.(entry);
  };
  const sampleEvery = options.sampleEveryMs ?? 5 * 60_000;
  const schedule = (at: number) =>
    time.at(at, async () => {
      await sample();
      schedule(at + sampleEvery);
    });
  await sample();
  schedule(startedAt + sampleEvery);

  let bytesServed = 0;
  const mix: FleetMix = preset.mix;
  const stopAt = startedAt + (options.durationMs ?? 72 * hour);
  const runs: DeviceRun[] = await Promise.all(
    devIds.map((devId, index) =>
      time.track(() =>
        runDevice({
          fetch,
          baseUrl,
          productId,
          accessKey,
          devId,
          manuf,
          model,
          version: 'V1.0',
          profile: deviceProfile(index, mix, random.fork(`device-${index}`)),
          random: random.fork(`events-${index}`),
          time,
          startedAt,
          stopAt,
          onBytes: (bytes) => {
            bytesServed += bytes;
            options.onBytes?.(bytesServed);
          },
        }),
      ),
    ),
  );
  const platformMs = clock.now() - startedAt;
  await sample();

  const lastCodes: Record<string, number> = {};
  for (let offset = 0; offset < count; offset += 500) {
    const { data } = await admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices', {
      params: { path: taskPath, query: { limit: 500, offset } },
    });
    for (const status of data?.items ?? []) {
      const code = status.lastCode === undefined ? 'none' : String(status.lastCode);
      lastCodes[code] = (lastCodes[code] ?? 0) + 1;
    }
  }
  const durations = runs
    .filter((r) => r.upgradedAt !== undefined && r.foundAt !== undefined)
    .map((r) => (r.upgradedAt as number) - (r.foundAt as number))
    .sort((a, b) => a - b);
  const upgraded = runs.filter((r) => r.upgradedAt !== undefined).length;
  return {
    seed,
    devices: count,
    packageSize,
    strategy: task.data.strategy,
    byState: (timeline.at(-1) as FleetSample).byState,
    lastCodes,
    upgradeMs: durations.length
      ? {
          p50: percentile(durations, 50),
          p90: percentile(durations, 90),
          p99: percentile(durations, 99),
          max: durations.at(-1) as number,
        }
      : undefined,
    platformMs,
    bytesServed,
    bytesPerUpgrade: upgraded ? bytesServed / (packageSize * upgraded) : 0,
    retries: runs.reduce((sum, r) => sum + r.retries, 0),
    reboots: runs.reduce((sum, r) => sum + r.reboots, 0),
    timeline,
    wallMs: performance.now() - wallStart,
  };
}

async function setRemoteClock(admin: ReturnType<typeof createManagementClient>, ms: number): Promise<void> {
  const { error } = await admin.PUT('/__mock/clock', { body: { now: new Date(ms).toISOString() } });
  if (error)
    throw new Error(`cannot move the platform clock (run ota-mock with --clock virtual): ${JSON.stringify(error)}`);
}
