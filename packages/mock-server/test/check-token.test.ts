import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { checkDemoToken, demoState, demoToken, type Harness, startHarness, step } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const control = (action: 'pause' | 'resume' | 'cancel') =>
  h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: 'tsk_1', action } },
  });

describe('GET /ota/south/download/{token}/check', () => {
  it('answers 0 and moves the device from pending to downloading', async () => {
    const token = await demoToken(h);
    expect(demoState(h)).toBe('pending');
    expect(await checkDemoToken(h, token)).toBe(0);
    expect(demoState(h)).toBe('downloading');
    expect(await checkDemoToken(h, token)).toBe(0);
  });

  it('answers 12 once the token is 48 h old', async () => {
    const token = await demoToken(h);
    h.platform.clock.advance(48 * 3600_000);
    expect(await checkDemoToken(h, token)).toBe(12);
  });

  it('answers 15 for a token replaced by a newer one', async () => {
    const token = await demoToken(h);
    await h.admin.POST('/__mock/faults', {
      body: { match: { operation: 'checkTask' }, action: { kind: 'rotate-token' } },
    });
    const newer = await demoToken(h);
    expect(newer).not.toBe(token);
    expect(await checkDemoToken(h, token)).toBe(15);
    expect(await checkDemoToken(h, newer)).toBe(0);
  });

  it("answers 18 for a token never issued, and 4 for another device's token", async () => {
    expect(await checkDemoToken(h, 'ota_AAAAAAAAAAAAAAAAAAAA')).toBe(18);
    const token = await demoToken(h);
    const other = await h.admin.POST('/api/v1/products/{productId}/devices', {
      params: { path: { productId: demo.productId } },
      body: { name: 'other' },
    });
    const { data } = await h.device.GET('/ota/south/download/{token}/check', {
      params: { path: { token }, query: { dev_id: other.data?.devId ?? 0 } },
    });
    expect(data?.errno).toBe(4);
  });

  it('answers 19 while paused, and 0 again after resume', async () => {
    const token = await demoToken(h);
    await control('pause');
    expect(await checkDemoToken(h, token)).toBe(19);
    await control('resume');
    expect(await checkDemoToken(h, token)).toBe(0);
  });

  it('answers 22 after cancel and 20 after success', async () => {
    const token = await demoToken(h);
    await control('cancel');
    expect(await checkDemoToken(h, token)).toBe(22);

    const fresh = await startHarness();
    const freshToken = await demoToken(fresh);
    await checkDemoToken(fresh, freshToken);
    await step(fresh, freshToken, 101);
    await step(fresh, freshToken, 201);
    expect(await checkDemoToken(fresh, freshToken)).toBe(20);
    await fresh.close();
  });

  it('answers 17 once the device is upgrading', async () => {
    const token = await demoToken(h);
    await checkDemoToken(h, token);
    await step(h, token, 100);
    expect(demoState(h)).toBe('upgrading');
    expect(await checkDemoToken(h, token)).toBe(17);
  });

  it('is served on the seed path /ota/download/{token}/check too', async () => {
    const token = await demoToken(h);
    const { data } = await h.device.GET('/ota/download/{token}/check', {
      params: { path: { token }, query: { dev_id: demo.devId } },
    });
    expect(data?.errno).toBe(0);
  });
});
