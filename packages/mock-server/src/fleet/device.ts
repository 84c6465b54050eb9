import { CheckErrno, operations, ResultCode } from '@onenet-ota/openapi/protocol';
import {
  createDeviceClient,
  type FetchLike,
  InstallError,
  OtaAgent,
  rangeBounds,
  type UpgradeResult,
} from '@onenet-ota/sdk';
import { Flash, flashStore } from './flash.ts';
import { batteryAt, type DeviceProfile, signalAt } from './profile.ts';
import type { Random } from './random.ts';
import type { VirtualTime } from './virtual-time.ts';

/** What one simulated device needs: the platform, its identity, its profile and the fleet's clock. */
export interface SimulatedDevice {
  fetch: FetchLike;
  baseUrl: string;
  productId: string;
  accessKey: string;
  devId: number;
  manuf: string;
  model: string;
  version: string;
  profile: DeviceProfile;
  random: Random;
  time: VirtualTime;
  /** Platform time the rollout starts at (battery and signal traces count from it). */
  startedAt: number;
  /** The device stops polling for a task at this platform time. */
  stopAt: number;
  /** Told every byte of package the device received. */
  onBytes: (bytes: number) => void;
}

/** How a simulated device's rollout went. */
export interface DeviceRun {
  devId: number;
  /** The last run of the agent (several when the device rebooted or found no task at first). */
  result: UpgradeResult | undefined;
  /** Platform time it first found the task and when it reported 201. */
  foundAt?: number;
  upgradedAt?: number;
  reboots: number;
  retries: number;
  polls: number;
}

// Told apart by the spec's paths.
const downloadPath = new RegExp(`^${operations.downloadPackage.path.replace('{token}', '[^/]+')}$`);
const checkPath = operations.checkTask.path;
/** Round trip of one request on these links: NB-IoT and Cat-1 answer in about half a second. */
const latencyMs = 400;
/** A reboot takes this long before the device runs again. */
const bootMs = 30_000;

/**
 * One device: polls for a task on its schedule, then runs the SDK's `OtaAgent` (its real logic) against the
 * platform, with its battery and signal at that platform time, its link's speed (each fragment takes platform
 * time), resets and reboots as its profile draws them; after a reboot it runs the agent again from what its flash
 * kept.
 */
export async function runDevice(device: SimulatedDevice): Promise<DeviceRun> {
  const { profile, random, time } = device;
  const run: DeviceRun = { devId: device.devId, result: undefined, reboots: 0, retries: 0, polls: 0 };
  let flash = new Flash();
  let dead = false;
  let linkFetch: FetchLike = device.fetch;
  // One client for the device's life, as firmware keeps its token: signed once with a long expiry (OneNET's C
  // SDK signs for 2050), not again for every run of the agent.
  const client = createDeviceClient({
    baseUrl: device.baseUrl,
    productId: device.productId,
    accessKey: device.accessKey,
    fetch: (request) => linkFetch(request),
    now: time.now,
    lifetimeSeconds: 30 * 24 * 3600,
  });
  await time.sleep(profile.firstPollMs);
  while (time.now() < device.stopAt) {
    dead = false;
    const hours = () => (time.now() - device.startedAt) / 3_600_000;
    // A fragment takes its platform time before it is asked (latency plus its bytes at the link's speed), so no
    // device holds a fragment in memory while it waits.
    linkFetch = async (request) => {
      if (dead) throw new Error('power cut');
      const { pathname } = new URL(request.url);
      if (!downloadPath.test(pathname)) {
        await time.sleep(latencyMs);
        if (dead) throw new Error('power cut');
        const response = await device.fetch(request);
        if (pathname === checkPath && run.foundAt === undefined) {
          const answer = (await response.clone().json()) as { errno?: number };
          if (answer.errno === CheckErrno.Success) run.foundAt = time.now();
        }
        return response;
      }
      const bounds = rangeBounds(request.headers.get('range') ?? '');
      const asked = bounds?.first !== undefined && bounds.last !== undefined ? bounds.last - bounds.first + 1 : 0;
      await time.sleep(latencyMs + (asked * 1000) / profile.link.bytesPerSecond);
      if (dead || random.chance(profile.rebootRate)) {
        dead = true;
        throw new Error('power cut');
      }
      const response = await device.fetch(request);
      if (!response.body || !random.chance(profile.link.resetRate)) {
        device.onBytes(Number(response.headers.get('content-length') ?? 0));
        return response;
      }
      // The link drops halfway through the fragment.
      const bytes = new Uint8Array(await response.arrayBuffer());
      const cut = Math.floor(bytes.length / 2);
      device.onBytes(cut);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.subarray(0, cut));
          controller.error(new Error('connection reset by the link'));
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const agent = new OtaAgent({
      client,
      devId: device.devId,
      type: 2,
      manuf: device.manuf,
      model: device.model,
      version: device.version,
      store: flashStore(flash, () => dead),
      fragmentSize: profile.fragmentSize,
      power: () => batteryAt(profile, hours()),
      signal: () => signalAt(profile, hours()),
      now: time.now,
      sleep: async (ms) => {
        if (dead) throw new Error('power cut');
        await time.sleep(ms);
      },
      verify: async (_read, task) => {
        if (flash.length !== task.size || flash.md5() !== task.md5)
          throw new InstallError(ResultCode.UpgradeMd5Mismatch, `package md5 ${flash.md5()} is not ${task.md5}`);
      },
      install: async () => {
        if (dead) throw new Error('power cut');
      },
      idleTimeoutMs: 600_000,
    });
    run.polls++;
    const result = await agent.run();
    run.result = result;
    run.retries += result.retriesUsed;
    if (dead) {
      run.reboots++;
      if (!profile.persistsState) flash = new Flash();
      await time.sleep(bootMs);
      continue;
    }
    if (result.outcome === 'no-task') {
      await time.sleep(profile.pollEveryMs);
      continue;
    }
    if (result.outcome === 'upgraded') run.upgradedAt = time.now();
    break;
  }
  return run;
}
