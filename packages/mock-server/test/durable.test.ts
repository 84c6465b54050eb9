import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPlatform, demo, demoImage, type Platform, type PlatformOptions } from '../src/index.ts';
import { DataDirError, openDataDir } from '../src/node.ts';
import { fuzzOperation } from './fuzz/fuzz-operation.ts';
import { operationsOfSpec } from './fuzz/request-arbitrary.ts';
import { checkDemoToken, demoToken, startHarness, step, uploadPackage } from './harness.ts';

// A platform over a data directory (SQLite + blob files) is the same platform: everything it holds comes back
// when it is opened again. The kill -9 test under load is durable-kill.test.ts.

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ota-data-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** What a platform holds that a restart must keep, as plain data. */
function held(platform: Platform) {
  const { counters, ...collections } = platform.state;
  return {
    collections: Object.fromEntries(
      Object.entries(collections).map(([kind, map]) => [kind, new Map(map as Map<unknown, unknown>)]),
    ),
    counters,
    clock: platform.clock.now(),
    faults: platform.faults.list(),
    journal: platform.journal.query({ limit: 1_000_000 }).entries,
  };
}

/** Opens the directory again, as a restarted server would, and returns the platform it continues. */
function reopen(dir: string, options: PlatformOptions = {}): { platform: Platform; close(): void } {
  const store = openDataDir(dir);
  // A fuzzed push receiver URL never reaches the network: verification fails, as for a receiver that is down.
  const pushFetch = async () => {
    throw new TypeError('fetch failed', { cause: new Error('offline in this test') });
  };
  return { platform: createPlatform({ pushFetch, ...options, store }), close: () => store.close() };
}

describe('a platform on a data directory', () => {
  it('comes back as it was: records, package bytes, tokens mid-download, counters, clock, faults, journal', async () => {
    const dir = dataDir();
    const store = openDataDir(dir);
    const h = await startHarness({ seed: 'demo', store });
    const pid = demo.productId;
    await h.admin.POST('/api/v1/products/{productId}/groups', {
      params: { path: { productId: pid } },
      body: { name: 'line-3', devIds: [demo.devId] },
    });
    await uploadPackage(h, demoImage(300_000, 9), { name: 'big-3.0', targetVersion: 'V3.0' });
    await h.admin.POST('/__mock/snapshots', {});
    await h.admin.POST('/__mock/faults', { body: { match: { devId: 1 }, action: { kind: 'ignore-range' }, times: 3 } });
    await h.admin.POST('/__mock/clock/advance', { body: { ms: 3_600_000 } });
    // The demo device mid-download: token issued and checked, 10 KiB of 64 served, 10 % reported.
    const token = await demoToken(h);
    await checkDemoToken(h, token);
    const fragment = await fetch(`${h.url}/ota/south/download/${token}`, { headers: { Range: 'bytes=0-10239' } });
    expect((await fragment.arrayBuffer()).byteLength).toBe(10_240);
    expect(await step(h, token, 10)).toBe(0);
    const before = held(h.platform);
    await h.close();
    store.close();

    const again = reopen(dir);
    expect(again.platform.restored).toBe(true);
    expect(held(again.platform)).toEqual(before);
    expect(again.platform.state.deviceTasks.get(`tsk_1/${demo.devId}`)).toMatchObject({
      state: 'downloading',
      servedUpTo: 10_240,
      token,
    });
    again.close();
  });

  it('keeps what every operation of the spec changes: reopened after fuzzing each one, it equals the live one', async () => {
    let lastSeen = 0;
    for (const op of operationsOfSpec) {
      const fresh = dataDir();
      const outcome = await fuzzOperation(op, 10, 7, {
        platform: { store: openDataDir(fresh) },
        inspect: (platform) => {
          const live = held(platform);
          // The live server holds its directory: what a kill would leave is read from a copy of the files.
          const copy = dataDir();
          cpSync(fresh, copy, { recursive: true });
          const reopened = reopen(copy);
          const reloaded = held(reopened.platform);
          reopened.close();
          expect(reloaded, `after fuzzing ${op.operationId}`).toEqual(live);
        },
      });
      expect(outcome.failure, outcome.failure).toBeUndefined();
      lastSeen += outcome.requests;
    }
    expect(lastSeen).toBe(operationsOfSpec.length * 10);
  }, 120_000);

  it('keeps what a download changes when its body ends, with no request after it', async () => {
    const dir = dataDir();
    const store = openDataDir(dir);
    const h = await startHarness({ seed: 'demo', store });
    const token = await demoToken(h);
    await checkDemoToken(h, token);
    const cut = await fetch(`${h.url}/ota/south/download/${token}`, { headers: { Range: 'bytes=0-20479' } });
    await cut.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the server sees the body end after the client
    expect(h.platform.state.deviceTasks.get(`tsk_1/${demo.devId}`)?.servedUpTo).toBe(20_480);
    await h.close();
    store.close();
    const again = reopen(dir);
    expect(again.platform.state.deviceTasks.get(`tsk_1/${demo.devId}`)?.servedUpTo).toBe(20_480);
    again.close();
  });

  it('restores a snapshot taken before the restart', async () => {
    const dir = dataDir();
    const first = reopen(dir, { seed: 'demo' });
    const snapshotAt = held(first.platform);
    const created = await first.platform.fetch(new Request('http://x/__mock/snapshots', { method: 'POST' }));
    const { id } = (await created.json()) as { id: string };
    await first.platform.fetch(
      new Request(`http://x/api/v1/products/${demo.productId}/devices`, {
        method: 'POST',
        body: JSON.stringify({ name: 'after-snapshot' }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    first.close();
    const second = reopen(dir);
    expect(second.platform.state.devices.size).toBe(2);
    const restored = await second.platform.fetch(
      new Request(`http://x/__mock/snapshots/${id}/restore`, { method: 'POST' }),
    );
    expect(restored.status).toBe(204);
    expect(held(second.platform).collections).toEqual(snapshotAt.collections);
    second.close();
  });

  it('removes the bytes of deleted packages when it opens', async () => {
    const dir = dataDir();
    const first = reopen(dir, { seed: 'demo' });
    const query = new URLSearchParams({ name: 'temp', module: 'sota', targetVersion: 'V5.0', fileName: 't.bin' });
    const uploaded = await first.platform.fetch(
      new Request(`http://x/api/v1/products/${demo.productId}/packages?${query}`, {
        method: 'POST',
        body: demoImage(4096, 5) as BodyInit,
        headers: { 'content-type': 'application/octet-stream' },
      }),
    );
    const { id } = (await uploaded.json()) as { id: string };
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(2);
    await first.platform.fetch(
      new Request(`http://x/api/v1/products/${demo.productId}/packages/${id}`, { method: 'DELETE' }),
    );
    first.close();
    reopen(dir).close();
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(1);
  });

  it('refuses a directory a running server holds, in one line, and opens it once that one closes', () => {
    const dir = dataDir();
    const first = openDataDir(dir);
    expect(() => openDataDir(dir)).toThrow(DataDirError);
    expect(() => openDataDir(dir)).toThrow(
      new RegExp(`in use by another ota-mock \\(pid ${process.pid}\\); stop it or choose another --data-dir$`),
    );
    first.close();
    openDataDir(dir).close();
  });

  it('takes no lock from a file: a pid left in `lock` (pid 1 always runs) does not keep the directory', () => {
    const dir = dataDir();
    openDataDir(dir).close();
    writeFileSync(join(dir, 'lock'), '1');
    openDataDir(dir).close();
  });
});
