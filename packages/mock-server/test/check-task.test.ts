import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { checkQuery, type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const check = (overrides: Record<string, unknown> = {}) =>
  h.device.GET('/ota/south/check', { params: { query: checkQuery(overrides) as never } });

describe('GET /ota/south/check', () => {
  it('returns the task with target, token, size, md5 and the strategy values', async () => {
    const { data } = await check();
    expect(data?.errno).toBe(0);
    expect(data?.data).toMatchObject({
      target: 'V2.0',
      size: demo.packageSize,
      signal: 0,
      power: 0,
      retry: 3,
      interval: 5,
      type: 1,
    });
    expect(data?.data?.token).toMatch(/^ota_[A-Za-z0-9]{20}$/);
    expect(data?.data).not.toHaveProperty('ipPort');
  });

  it('adds ipPort when cdn=true', async () => {
    const { data } = await check({ cdn: true });
    expect(data?.data?.ipPort).toBe(new URL(h.url).host);
  });

  it('returns the same token while it is valid and a new one after 48 h', async () => {
    const first = (await check()).data?.data?.token;
    h.platform.clock.advance(47 * 3600_000);
    expect((await check()).data?.data?.token).toBe(first);
    h.platform.clock.advance(3600_000);
    expect((await check()).data?.data?.token).not.toBe(first);
  });

  it('records the version it is given, task or not', async () => {
    await check({ version: 'V1.7' });
    expect(h.platform.state.devices.get(demo.devId)?.sVersion).toBe('V1.7');
    await check({ type: 1, version: 'M1.0' });
    expect(h.platform.state.devices.get(demo.devId)?.fVersion).toBe('M1.0');
  });

  it('answers 11 when the module has no task', async () => {
    expect((await check({ type: 1 })).data?.errno).toBe(11);
  });

  it('answers 27 for a version outside [A-Za-z0-9._-]{1,20}', async () => {
    for (const version of ['V1 0', 'x'.repeat(21), '版本1'])
      expect((await check({ version })).data?.errno, version).toBe(27);
  });

  it('answers 2 for a malformed parameter', async () => {
    expect((await check({ manuf: '1' })).data?.errno).toBe(2);
  });

  it('answers 1 for an unknown device or a bad token', async () => {
    expect((await check({ dev_id: 1 })).data?.errno).toBe(1);
    const response = await h.fetch(
      new Request(`${h.url}/ota/south/check?${new URLSearchParams(checkQuery() as never)}`),
    );
    expect(await response.json()).toMatchObject({ errno: 1 });
  });

  it('fails the task with 8 on a manuf/model mismatch', async () => {
    expect((await check({ model: '10101' })).data?.errno).toBe(8);
    expect(h.platform.state.deviceTasks.get(`tsk_1/${demo.devId}`)?.state).toBe('failed');
    expect((await check()).data?.errno).toBe(11);
  });

  it('answers 19 while the task is paused', async () => {
    await h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId: demo.productId, taskId: 'tsk_1', action: 'pause' } },
    });
    expect((await check()).data?.errno).toBe(19);
  });

  it('is served on the seed path /ota/check too', async () => {
    const { data } = await h.device.GET('/ota/check', { params: { query: checkQuery() } });
    expect(data?.errno).toBe(0);
  });
});
