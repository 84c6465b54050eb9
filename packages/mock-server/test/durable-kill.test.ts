import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createManagementClient,
  DeviceTaskState,
  Md5,
  MemoryStore,
  OtaAgent,
  type UpgradeResult,
  uploadPackage,
} from '@onenet-ota/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { demo, demoImage } from '../src/index.ts';

// The power-cut test, as a bench sees it: `ota-mock --data-dir` as a real process, SIGKILLed 20 times
// while devices (the SDK's reference agent, each with its own flash) download with Range and a tester's script
// creates groups. After every restart, on the same port and directory: every write the server acknowledged is
// there, every device's task status is one the state machine allows, and a device the platform told "201
// accepted" is still succeeded. At the end every device has installed the exact image, having resumed (not
// restarted) its download after each kill.

const bin = new URL('../bin/ota-mock.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ota-kill-'));
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const kills = 20;
const deviceCount = 12;
const packageSize = 256 * 1024 + 77;
const fragmentSize = 2048;
const image = demoImage(packageSize, 31);
const imageMd5 = new Md5().update(image).hex();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts ota-mock on the directory and port; resolves with the time it took to answer. */
async function start(port: number): Promise<number> {
  const started = performance.now();
  const process_ = spawn(
    process.execPath,
    [bin, '--data-dir', dir, '--port', String(port), '--clock', 'virtual', '--seed', 'demo', '--quiet'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = process_;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    process_.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl-C stops')) resolve();
    });
    process_.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    process_.once('exit', (code) => reject(new Error(`ota-mock exited with ${code}: ${output}`)));
  });
  return performance.now() - started;
}

async function killNow(): Promise<void> {
  const running = child;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill('SIGKILL');
  await exited;
}

describe('ota-mock --data-dir, killed with SIGKILL under load', () => {
  it(`keeps every acknowledged write through ${kills} kills, and every device finishes its upgrade`, async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    await start(port);
    const admin = createManagementClient({ baseUrl });
    const productId = demo.productId;

    // A fleet on V1.0 and a task to a 256 KiB V3.0 that retries often (a killed platform looks like a bad link).
    const devIds: number[] = [];
    for (let i = 0; i < deviceCount; i++) {
      const { data } = await admin.POST('/api/v1/products/{productId}/devices', {
        params: { path: { productId } },
        body: { name: `bench-${i}` },
      });
      devIds.push(data?.devId as number);
    }
    const query = { name: 'fleet-3.0', module: 'sota', targetVersion: 'V3.0', fileName: 'f.bin' } as const;
    const packageId = (await uploadPackage(admin, productId, query, image)).data?.id as string;
    const task = await admin.POST('/api/v1/products/{productId}/tasks', {
      params: { path: { productId } },
      body: {
        name: 'fleet',
        packageId,
        targets: { devIds },
        strategy: { retry: { mode: 'retry', count: 100, intervalSeconds: 1 } },
      },
    });
    const taskId = task.data?.id as string;
    expect(task.data?.deviceCount).toBe(deviceCount);
    const started = await admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId, taskId, action: 'start' } },
    });
    expect(started.response.status).toBe(200);

    // Devices: the reference agent; its store is the device's flash and survives the platform's restarts.
    let running = true;
    const succeededSeen = new Set<number>();
    const bytesDownloaded = new Map<number, number>();
    const installedMd5 = new Map<number, string>();
    const runs: string[] = [];
    const device = async (devId: number) => {
      const store = new MemoryStore();
      let last: UpgradeResult | undefined;
      while (running) {
        const agent = new OtaAgent({
          client: { baseUrl, productId, accessKey: demo.productKey },
          devId,
          type: 2,
          manuf: demo.manuf,
          model: demo.model,
          // A device that installed the image runs it: after a restart it says V3.0.
          version: installedMd5.has(devId) ? 'V3.0' : 'V1.0',
          store,
          fragmentSize,
          idleTimeoutMs: 2000,
          // The retry interval, shortened: still longer than a restart, so a kill costs a device about one of
          // the task's 100 retries rather than a burst of them against a closed port.
          sleep: async () => {
            await sleep(600);
          },
          install: async (chunks) => {
            const md5 = new Md5();
            for await (const chunk of chunks) md5.update(chunk);
            installedMd5.set(devId, md5.hex());
          },
        });
        last = await agent.run();
        runs.push(`${devId}: ${last.outcome} ${last.detail}`);
        bytesDownloaded.set(devId, (bytesDownloaded.get(devId) ?? 0) + last.bytesDownloaded);
        if (last.reported.includes(201)) succeededSeen.add(devId);
        // Only a platform that is down ends a run with `error`; any other outcome is the device's last word.
        if (last.outcome !== 'error') return last;
        await sleep(100);
      }
      return last;
    };
    const devices = Promise.all(devIds.map(device));

    // A tester's script creating groups; the ones answered 201 must survive every kill.
    const acknowledgedGroups: string[] = [];
    const writer = (async () => {
      for (let i = 0; running; i++) {
        try {
          const { response } = await admin.POST('/api/v1/products/{productId}/groups', {
            params: { path: { productId } },
            body: { name: `group-${i}`, devIds: [devIds[i % deviceCount] as number] },
          });
          if (response.status === 201) acknowledgedGroups.push(`group-${i}`);
        } catch {
          await sleep(20); // the platform is down: the write was not acknowledged
        }
      }
    })();

    const restarts: number[] = [];
    let downloadingAcrossKills = 0;
    const validStates = new Set<string>(Object.values(DeviceTaskState));
    for (let k = 0; k < kills; k++) {
      await sleep(150 + ((k * 97) % 250));
      const acknowledgedBefore = [...acknowledgedGroups];
      const succeededBefore = [...succeededSeen];
      await killNow();
      restarts.push(await start(port));

      const names = new Set<string>();
      for (let offset = 0; ; offset += 500) {
        const page = await admin.GET('/api/v1/products/{productId}/groups', {
          params: { path: { productId }, query: { limit: 500, offset } },
        });
        expect(page.response.status).toBe(200);
        for (const group of page.data?.items ?? []) names.add(group.name);
        if ((page.data?.items.length ?? 0) < 500) break;
      }
      expect(
        acknowledgedBefore.filter((name) => !names.has(name)),
        `groups lost by kill ${k + 1}`,
      ).toEqual([]);
      const statuses = await admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices', {
        params: { path: { productId, taskId }, query: { limit: 500 } },
      });
      const items = statuses.data?.items ?? [];
      expect(items).toHaveLength(deviceCount);
      for (const status of items) {
        expect(validStates.has(status.state), `state ${status.state}`).toBe(true);
        expect(status.progress).toBeGreaterThanOrEqual(0);
        expect(status.progress).toBeLessThanOrEqual(100);
      }
      downloadingAcrossKills += items.filter((s) => s.state === 'downloading' && s.progress < 100).length;
      const succeeded = new Set(items.filter((s) => s.state === 'succeeded').map((s) => s.devId));
      expect(
        succeededBefore.filter((id) => !succeeded.has(id)),
        `201s lost by kill ${k + 1}`,
      ).toEqual([]);
    }

    // Devices still downloading get a minute more; a device that never ends fails the test with its runs.
    const results = await Promise.race([devices, sleep(60_000).then(() => undefined)]);
    running = false;
    if (!results) expect.fail(`devices did not finish; their runs:\n${runs.join('\n')}`);
    await writer;
    const statuses = await admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices', {
      params: { path: { productId, taskId }, query: { limit: 500 } },
    });
    // A device whose 201 was accepted but whose answer a kill cut off ends with no task left: as it should.
    const unfinished = results.filter((r) => r?.outcome !== 'upgraded' && r?.outcome !== 'no-task');
    expect(unfinished, runs.filter((line) => !line.includes('upgraded')).join('\n')).toEqual([]);
    expect(statuses.data?.items.map((s) => s.state)).toEqual(devIds.map(() => 'succeeded'));
    expect([...installedMd5.values()]).toEqual(devIds.map(() => imageMd5));
    // Resumed, not restarted: each kill costs a device at most the fragments in flight, not the whole download.
    const downloaded = [...bytesDownloaded.values()].reduce((a, b) => a + b, 0);
    const overhead = downloaded / (deviceCount * packageSize);
    expect(overhead).toBeLessThan(1.5);
    // The kills did land mid-download: devices were downloading when the platform came back.
    expect(downloadingAcrossKills).toBeGreaterThan(kills);
    const median = [...restarts].sort((a, b) => a - b)[Math.floor(restarts.length / 2)] ?? 0;
    // The figures for the note, on the test's output.
    process.stdout.write(
      `${kills} SIGKILLs: ${acknowledgedGroups.length} acknowledged group writes all kept; ${deviceCount} devices upgraded; ` +
        `${downloadingAcrossKills} device downloads crossed a kill; bytes downloaded ${overhead.toFixed(3)}× the package per device; restart to first answer median ${median.toFixed(0)} ms\n`,
    );
  }, 180_000);
});
