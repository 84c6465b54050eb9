import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform, demo } from '../src/index.ts';
import { checkDemoToken, demoState, demoToken, type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

describe('clock', () => {
  it('reads, sets and advances the virtual clock', async () => {
    const before = (await h.admin.GET('/__mock/clock')).data;
    expect(before?.mode).toBe('virtual');
    const advanced = await h.admin.POST('/__mock/clock/advance', { body: { ms: 172_801_000 } });
    expect(advanced.data?.epochMs).toBe((before?.epochMs ?? 0) + 172_801_000);
    const set = await h.admin.PUT('/__mock/clock', { body: { now: '2030-01-01T00:00:00.000Z' } });
    expect(set.data?.now).toBe('2030-01-01T00:00:00.000Z');
  });

  it('refuses to move a real clock (409)', async () => {
    const real = await startHarness({ seed: 'none', clock: 'real' });
    const { response, error } = await real.admin.POST('/__mock/clock/advance', { body: { ms: 1 } });
    expect(response.status).toBe(409);
    expect(error).toMatchObject({ type: 'urn:onenet-ota:problem:invalid-state', state: 'real' });
    await real.close();
  });
});

describe('journal', () => {
  it('records every southbound request with platform time, device, operation and errno, secrets redacted', async () => {
    const token = await demoToken(h);
    h.platform.clock.advance(1000);
    await checkDemoToken(h, token);
    const { data } = await h.admin.GET('/__mock/journal', { params: { query: { devId: demo.devId } } });
    expect(data?.entries.map((e) => [e.operation, e.errno])).toEqual([
      ['checkTask', 0],
      ['checkToken', 0],
    ]);
    const [check, tokenCheck] = data?.entries ?? [];
    expect(Date.parse(tokenCheck?.time ?? '') - Date.parse(check?.time ?? '')).toBe(1000);
    expect(check?.request.headers.authorization).toMatch(/sign=<redacted>$/);
    expect(check?.response.body?.json).toMatchObject({ errno: 0, data: { token } });
    expect(JSON.stringify(data)).not.toContain(demo.productKey);
  });

  it('redacts access keys from management answers and filters by operation and seq', async () => {
    const path = { productId: demo.productId };
    await h.admin.GET('/api/v1/products/{productId}', { params: { path, query: { include: 'keys' } } });
    await h.admin.GET('/api/v1/products/{productId}', { params: { path } });
    const { data } = await h.admin.GET('/__mock/journal', { params: { query: { operation: 'getProduct' } } });
    expect(data?.entries).toHaveLength(2);
    // Asked for, the key is in the answer, and the journal still does not keep it; not asked for, it is not sent.
    expect(data?.entries[0]?.response.body?.json).toMatchObject({ accessKey: '<redacted>' });
    expect(data?.entries[1]?.response.body?.json).not.toHaveProperty('accessKey');
    const newer = await h.admin.GET('/__mock/journal', { params: { query: { since: data?.entries[0]?.seq ?? 0 } } });
    expect(newer.data?.entries).toHaveLength(1);
    await h.admin.DELETE('/__mock/journal');
    expect((await h.admin.GET('/__mock/journal')).data?.entries).toEqual([]);
  });
});

describe('reset and snapshots', () => {
  it('resets to the demo seed and returns ready credentials', async () => {
    await h.admin.POST('/__mock/faults', { body: { action: { kind: 'delay', ms: 1 } } });
    const { data } = await h.admin.POST('/__mock/reset', { body: { seed: 'demo' } });
    expect(data).toMatchObject({
      product: { id: demo.productId },
      devices: [{ devId: demo.devId }],
      tasks: [{ state: 'running' }],
    });
    expect((await h.admin.GET('/__mock/faults')).data).toEqual([]);
    const empty = await h.admin.POST('/__mock/reset', { body: { seed: 'none' } });
    expect(empty.data).toEqual({ devices: [], packages: [], tasks: [] });
  });

  it('restores a snapshot of state and clock', async () => {
    const token = await demoToken(h);
    const snapshot = (await h.admin.POST('/__mock/snapshots')).data;
    await checkDemoToken(h, token);
    h.platform.clock.advance(60_000);
    expect(demoState(h)).toBe('downloading');
    const restored = await h.admin.POST('/__mock/snapshots/{snapshotId}/restore', {
      params: { path: { snapshotId: snapshot?.id ?? '' } },
    });
    expect(restored.response.status).toBe(204);
    expect(demoState(h)).toBe('pending');
    expect(h.platform.clock.now()).toBe(Date.parse(snapshot?.createdAt ?? ''));
    expect(h.platform.state.packages.get('pkg_1')?.bytes.length).toBe(demo.packageSize);
  });

  it('keeps platform instances apart', async () => {
    const a = createPlatform({ seed: 'demo' });
    const b = createPlatform({ seed: 'demo' });
    a.clock.advance(5000);
    a.state.devices.delete(demo.devId);
    expect(b.state.devices.has(demo.devId)).toBe(true);
    expect(b.clock.now()).not.toBe(a.clock.now());
  });
});
