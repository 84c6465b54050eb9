import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentStore, InstallError, Md5, MemoryStore, OtaAgent, type OtaAgentOptions } from '@onenet-ota/sdk';
import { FileStore } from '@onenet-ota/sdk/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo, demoImage, type FaultCreate } from '../src/index.ts';
import { demoModule, type Harness, startHarness, uploadPackage } from './harness.ts';

// The SDK's reference agent against the mock platform over real HTTP, on the platform's virtual clock: the
// agent's sleeps move platform time, so retry intervals, pauses and 48 h token lifetimes take no wall time.

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const image = demoImage(demo.packageSize);
const imageMd5 = new Md5().update(image).hex();

function agentFor(overrides: Partial<OtaAgentOptions> = {}): {
  agent: OtaAgent;
  installed: Uint8Array[];
  slept: number[];
} {
  const installed: Uint8Array[] = [];
  const slept: number[] = [];
  const agent = new OtaAgent({
    client: h.device,
    ...demoModule,
    now: h.platform.clock.now,
    sleep: async (ms) => {
      slept.push(ms);
      h.platform.clock.advance(ms);
    },
    idleTimeoutMs: 2000,
    install: async (chunks) => {
      for await (const chunk of chunks) installed.push(new Uint8Array(chunk));
    },
    ...overrides,
  });
  return { agent, installed, slept };
}

const addFault = (fault: FaultCreate) => h.admin.POST('/__mock/faults', { body: fault });
const control = (action: 'pause' | 'resume' | 'cancel') =>
  h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: 'tsk_1', action } },
  });
const downloads = () =>
  h.platform.journal
    .query({ operation: 'downloadPackage' })
    .entries.map((e) => `${e.request.headers.range} ${e.response.status}`);
const deviceTask = () => h.platform.state.deviceTasks.get(`tsk_1/${demo.devId}`);
const md5Of = (chunks: Uint8Array[]) => new Md5().update(Buffer.concat(chunks)).hex();

/** A store that runs `hook` once the image reaches `offset` bytes: the moment a test changes the world. */
function storeWithHook(
  offset: number,
  hook: () => Promise<void> | void,
  inner: AgentStore = new MemoryStore(),
): AgentStore {
  let fired = false;
  return {
    load: () => inner.load(),
    save: async (state) => {
      await inner.save(state);
      if (!fired && state.offset >= offset) {
        fired = true;
        await hook();
      }
    },
    write: (at, bytes) => inner.write(at, bytes),
    read: (size) => inner.read(size),
    clear: () => inner.clear(),
  };
}

describe('OtaAgent against the mock platform', () => {
  it('upgrades: fragments, progress every 10 %, 101, install, 201, version', async () => {
    const { agent, installed } = agentFor();
    const result = await agent.run();
    expect(result).toMatchObject({
      outcome: 'upgraded',
      target: 'V2.0',
      bytesDownloaded: demo.packageSize,
      retriesUsed: 0,
      flows: 1,
    });
    expect(result.reported).toEqual([12, 25, 37, 50, 62, 75, 87, 101, 201]);
    expect(md5Of(installed)).toBe(imageMd5);
    expect(downloads()).toHaveLength(16);
    expect(deviceTask()?.state).toBe('succeeded');
    expect(h.platform.state.devices.get(demo.devId)?.sVersion).toBe('V2.0');
    const calls = h.platform.journal.query({ devId: demo.devId }).entries.map((e) => e.operation);
    expect(calls.slice(0, 4)).toEqual(['reportVersion', 'checkTask', 'checkToken', 'downloadPackage']);
    expect(calls.filter((c) => c === 'checkToken').length).toBeGreaterThanOrEqual(16);
  });

  it('checks the task again when the token expires mid-download, and resumes with the new token', async () => {
    const store = storeWithHook(demo.packageSize / 2, () => h.platform.clock.advance(48 * 3600_000 + 1000));
    const { agent, installed } = agentFor({ store });
    const result = await agent.run();
    expect(result).toMatchObject({ outcome: 'upgraded', flows: 2 });
    expect(h.platform.journal.query({ operation: 'checkToken' }).entries.some((e) => e.errno === 12)).toBe(true);
    const tokens = new Set(
      h.platform.journal.query({ operation: 'downloadPackage' }).entries.map((e) => e.request.path),
    );
    expect(tokens.size).toBe(2);
    expect(downloads()).toHaveLength(16);
    expect(md5Of(installed)).toBe(imageMd5);
  });

  it('resumes from the last good byte after the connection drops mid-fragment', async () => {
    await addFault({ match: { operation: 'downloadPackage', nth: 3 }, action: { kind: 'reset', afterBytes: 1000 } });
    const { agent, installed, slept } = agentFor();
    const result = await agent.run();
    expect(result).toMatchObject({ outcome: 'upgraded', retriesUsed: 1 });
    expect(downloads().slice(2, 4)).toEqual(['bytes=8192-12287 200'.replace('200', '206'), 'bytes=9192-13287 206']);
    expect(slept).toEqual([5000]);
    expect(md5Of(installed)).toBe(imageMd5);
    expect(deviceTask()?.retriesUsed).toBe(1);
  });

  it('resumes from persisted state after the process dies mid-download', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-agent-'));
    const dying = storeWithHook(
      20_000,
      () => {
        throw new Error('power cut');
      },
      new FileStore(dir),
    );
    expect((await agentFor({ store: dying }).agent.run()).outcome).toBe('error');
    const before = downloads().length;
    const { agent, installed } = agentFor({ store: new FileStore(dir) });
    expect((await agent.run()).outcome).toBe('upgraded');
    expect(downloads()[before]).toBe('bytes=20480-24575 206');
    expect(md5Of(installed)).toBe(imageMd5);
    await rm(dir, { recursive: true, force: true });
  });

  /** An agent that installs, and whose 201 then meets `action` once. */
  const installThen = (store: AgentStore, action: FaultCreate['action']) =>
    agentFor({
      store,
      install: async (chunks) => {
        for await (const _ of chunks);
        await addFault({ match: { devId: demo.devId, operation: 'reportProgress' }, action });
      },
    });

  it('sends 201 again on the next run when the platform never got it, before anything else', async () => {
    const store = new MemoryStore();
    const cut = await installThen(store, { kind: 'status', status: 503 }).agent.run();
    expect(cut).toMatchObject({ outcome: 'error', detail: '201 got no answer; the next run sends it again' });
    expect(deviceTask()?.state).toBe('upgrading');
    // Rebooted into the new image: the pending 201 goes first, and the platform records the upgrade.
    const checksBefore = h.platform.journal.query({ operation: 'checkTask' }).entries.length;
    const again = await agentFor({ store, version: demo.targetVersion }).agent.run();
    expect(again).toMatchObject({ outcome: 'upgraded', reported: [201] });
    expect(deviceTask()?.state).toBe('succeeded');
    expect(h.platform.journal.query({ operation: 'checkTask' }).entries.length).toBe(checksBefore);
    expect(await store.load()).toBeUndefined();
  });

  it('stops sending 201 once the platform answers, when only the first answer was lost', async () => {
    const store = new MemoryStore();
    const cut = await installThen(store, { kind: 'reset', afterBytes: 0 }).agent.run();
    expect(cut.detail).toBe('201 got no answer; the next run sends it again');
    expect(deviceTask()?.state).toBe('succeeded');
    const again = await agentFor({ store, version: demo.targetVersion }).agent.run();
    expect(again.outcome).toBe('error');
    expect(again.detail).toMatch(/^201 was refused with errno \d+/);
    expect(await store.load()).toBeUndefined();
    // Nothing left to do: the device on the target version finds no task.
    expect((await agentFor({ store, version: demo.targetVersion }).agent.run()).outcome).toBe('no-task');
  });

  it('reports 205 and does not install when the md5 does not match', async () => {
    await addFault({ match: { operation: 'downloadPackage', nth: 5 }, action: { kind: 'corrupt', atByte: 17_000 } });
    const { agent, installed } = agentFor();
    const result = await agent.run();
    expect(result.outcome).toBe('failed');
    expect(result.reported.at(-1)).toBe(205);
    expect(result.reported).not.toContain(101);
    expect(installed).toEqual([]);
    expect(deviceTask()).toMatchObject({ state: 'failed', lastCode: 205 });
  });

  it("runs a host's own verify before 101, with the package it downloaded, and reports the code it throws", async () => {
    const seen: string[] = [];
    const { agent, installed } = agentFor({
      verify: async (read, task) => {
        const chunks: Uint8Array[] = [];
        for await (const chunk of read()) chunks.push(chunk);
        seen.push(md5Of(chunks), task.md5);
        throw new InstallError(204, 'signature does not match the target');
      },
    });
    const result = await agent.run();
    expect(seen).toEqual([imageMd5, imageMd5]);
    expect(result.reported).not.toContain(101);
    expect(result.reported.at(-1)).toBe(204);
    expect(installed).toEqual([]);
    expect(deviceTask()).toMatchObject({ state: 'failed', lastCode: 204 });
  });

  it("reports 105 or 106 and downloads nothing when battery or signal is not above the task's", async () => {
    h.platform.state.tasks.get('tsk_1')?.strategy &&
      Object.assign(h.platform.state.tasks.get('tsk_1')?.strategy ?? {}, { power: 50, signal: 10 });
    const low = await agentFor({ power: () => 50, signal: () => 20 }).agent.run();
    expect(low.reported).toEqual([105]);
    expect(downloads()).toEqual([]);

    const again = await startHarness();
    Object.assign(again.platform.state.tasks.get('tsk_1')?.strategy ?? {}, { power: 50, signal: 10 });
    const weak = await new OtaAgent({
      client: again.device,
      ...demoModule,
      now: again.platform.clock.now,
      power: () => 80,
      signal: () => 10,
      install: async () => {},
    }).run();
    expect(weak.reported).toEqual([106]);
    await again.close();
  });

  it('retries a failing fragment `retry` times `interval` apart, then reports 207', async () => {
    await addFault({
      match: { operation: 'downloadPackage', nth: 2 },
      action: { kind: 'status', status: 503 },
      times: 1,
    });
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'status', status: 503 }, times: null });
    const { agent, slept } = agentFor();
    const result = await agent.run();
    expect(result).toMatchObject({ outcome: 'failed', retriesUsed: 4 });
    expect(result.reported.at(-1)).toBe(207);
    expect(slept).toEqual([5000, 5000, 5000]);
    expect(deviceTask()?.lastCode).toBe(207);
  });

  it('reports 208 once the deadline has passed', async () => {
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'status', status: 503 }, times: null });
    const { agent } = agentFor({ deadline: h.platform.clock.now() + 7000 });
    const result = await agent.run();
    expect(result.reported.at(-1)).toBe(208);
  });

  it('waits while the task is paused, without using a retry, and finishes after resume', async () => {
    let waits = 0;
    const store = storeWithHook(30_000, async () => {
      await control('pause');
    });
    const { agent, slept } = agentFor({
      store,
      sleep: async (ms) => {
        slept.push(ms);
        h.platform.clock.advance(ms);
        if (++waits === 3) await control('resume');
      },
    });
    const result = await agent.run();
    expect(result).toMatchObject({ outcome: 'upgraded', retriesUsed: 0 });
    expect(slept).toEqual([5000, 5000, 5000]);
    expect(h.platform.journal.query({ operation: 'checkToken' }).entries.filter((e) => e.errno === 19)).toHaveLength(3);
  });

  it('stops without reporting a failure when the task is canceled', async () => {
    const { agent, installed } = agentFor({ store: storeWithHook(30_000, async () => void (await control('cancel'))) });
    const result = await agent.run();
    expect(result).toMatchObject({ outcome: 'canceled', errno: 22 });
    expect(result.reported.every((code) => code <= 100)).toBe(true);
    expect(installed).toEqual([]);
  });

  it('takes a 200 to a Range request as the whole file', async () => {
    await addFault({ match: { operation: 'downloadPackage', nth: 2 }, action: { kind: 'ignore-range' } });
    const { agent, installed } = agentFor();
    expect((await agent.run()).outcome).toBe('upgraded');
    expect(downloads()).toEqual(['bytes=0-4095 206', 'bytes=4096-8191 200']);
    expect(md5Of(installed)).toBe(imageMd5);
  });

  it('retries a fragment whose Content-Range is not the one asked for', async () => {
    await addFault({
      match: { operation: 'downloadPackage', nth: 4 },
      action: { kind: 'wrong-content-range', shift: 4096 },
    });
    const { agent, installed } = agentFor();
    expect(await agent.run()).toMatchObject({ outcome: 'upgraded', retriesUsed: 1 });
    expect(md5Of(installed)).toBe(imageMd5);
  });

  it('reports 107 for the one-byte error body', async () => {
    await addFault({ match: { operation: 'downloadPackage', nth: 2 }, action: { kind: 'error-byte', code: '3' } });
    const result = await agentFor().agent.run();
    expect(result.reported.at(-1)).toBe(107);
    expect(deviceTask()?.state).toBe('failed');
  });

  it('reports the code an install failure names', async () => {
    const { agent } = agentFor({
      install: async () => {
        throw new InstallError(203, 'flash full');
      },
    });
    const result = await agent.run();
    expect(result.reported.slice(-2)).toEqual([101, 203]);
    expect(deviceTask()?.state).toBe('failed');
  });

  it('abandons a stalled fragment after the idle timeout and retries it', async () => {
    await addFault({
      match: { operation: 'downloadPackage', nth: 2 },
      action: { kind: 'stall', afterBytes: 100, ms: 2000 },
    });
    const { agent, installed } = agentFor({ idleTimeoutMs: 200 });
    expect(await agent.run()).toMatchObject({ outcome: 'upgraded', retriesUsed: 1 });
    expect(downloads().slice(1, 3)).toEqual(['bytes=4096-8191 206', 'bytes=4196-8291 206']);
    expect(md5Of(installed)).toBe(imageMd5);
  });

  it('retries a truncated body from the last byte it got, and completes under throttling and delays', async () => {
    await addFault({ match: { operation: 'downloadPackage', nth: 2 }, action: { kind: 'truncate', afterBytes: 2000 } });
    await addFault({
      match: { operation: 'downloadPackage', nth: 5 },
      action: { kind: 'throttle', bytesPerSecond: 200_000 },
    });
    await addFault({ match: { operation: 'checkToken', nth: 3 }, action: { kind: 'delay', ms: 50 } });
    const { agent, installed } = agentFor();
    expect(await agent.run()).toMatchObject({ outcome: 'upgraded', retriesUsed: 1 });
    expect(downloads()[2]).toBe('bytes=6096-10191 206');
    expect(md5Of(installed)).toBe(imageMd5);
  });

  it('checks the task again for a replaced token (15) and carries on with the new one', async () => {
    await addFault({ match: { operation: 'checkToken', nth: 4 }, action: { kind: 'rotate-token' } });
    const { agent, installed } = agentFor();
    expect(await agent.run()).toMatchObject({ outcome: 'upgraded', flows: 2 });
    expect(h.platform.journal.query({ operation: 'checkToken' }).entries.some((e) => e.errno === 15)).toBe(true);
    expect(md5Of(installed)).toBe(imageMd5);
  });

  it('ends the flow without a report for a revoked token (18)', async () => {
    await addFault({ match: { operation: 'checkToken', nth: 3 }, action: { kind: 'revoke-token' } });
    const result = await agentFor().agent.run();
    expect(result).toMatchObject({ outcome: 'rejected', errno: 18 });
    expect(result.reported.every((code) => code <= 100)).toBe(true);
  });

  it('reports 205 when the package is replaced mid-download with one of the same size', async () => {
    const upload = await uploadPackage(h, new Uint8Array(demo.packageSize).fill(9), { name: 'swap' });
    const { id } = (await upload.json()) as { id: string };
    await addFault({
      match: { operation: 'downloadPackage', nth: 8 },
      action: { kind: 'replace-package', packageId: id },
    });
    const result = await agentFor().agent.run();
    expect(result.reported.at(-1)).toBe(205);
  });

  it('says no-task when there is nothing to do', async () => {
    const { agent } = agentFor({ type: 1, version: 'M1' });
    expect(await agent.run()).toMatchObject({ outcome: 'no-task', errno: 11 });
  });
});
