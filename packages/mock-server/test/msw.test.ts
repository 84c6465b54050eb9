import { createDeviceClient, createManagementClient, md5Hex, OtaAgent } from '@onenet-ota/sdk';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, demo, demoImage } from '../src/index.ts';
import { handlers } from '../src/msw.ts';

const platform = createPlatform({ seed: 'demo', validateResponses: 'error' });
const server = setupServer(...handlers(platform));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

describe('the platform behind MSW handlers', () => {
  it('runs a whole upgrade through the intercepted global fetch', async () => {
    const baseUrl = 'http://ota.heclouds.com';
    const device = createDeviceClient({
      baseUrl,
      productId: demo.productId,
      accessKey: demo.productKey,
      now: platform.clock.now,
    });
    const query = { dev_id: demo.devId, manuf: demo.manuf, model: demo.model, type: 2 as const, version: 'V1.0' };
    const check = await device.GET('/ota/south/check', { params: { query } });
    const token = check.data?.data?.token ?? '';
    expect(
      (
        await device.GET('/ota/south/download/{token}/check', {
          params: { path: { token }, query: { dev_id: demo.devId } },
        })
      ).data?.errno,
    ).toBe(0);
    const parts: Uint8Array[] = [];
    for (let offset = 0; offset < demo.packageSize; offset += 16_384) {
      const { data, response } = await device.GET('/ota/south/download/{token}', {
        params: { path: { token }, header: { Range: `bytes=${offset}-${offset + 16_383}` } },
        parseAs: 'arrayBuffer',
      });
      expect(response.status).toBe(206);
      parts.push(new Uint8Array(data ?? new ArrayBuffer(0)));
    }
    expect(md5Hex(Buffer.concat(parts))).toBe(check.data?.data?.md5);
    const progress = { params: { path: { token }, query: { dev_id: demo.devId } } };
    expect(
      (await device.POST('/ota/south/device/download/{token}/progress', { ...progress, body: { step: 101 } })).data
        ?.errno,
    ).toBe(0);
    expect(
      (await device.POST('/ota/south/device/download/{token}/progress', { ...progress, body: { step: 201 } })).data
        ?.errno,
    ).toBe(0);
    const admin = createManagementClient({ baseUrl });
    const stats = await admin.GET('/api/v1/products/{productId}/tasks/{taskId}/stats', {
      params: { path: { productId: demo.productId, taskId: 'tsk_1' } },
    });
    expect(stats.data?.successRate).toBe(1);
    expect(platform.state.packages.get('pkg_1')?.bytes).toEqual(demoImage(demo.packageSize));
  });
});

describe('the reference agent behind MSW', () => {
  it('upgrades through setupServer with the late-bound global fetch', async () => {
    const own = createPlatform({ seed: 'demo', validateResponses: 'error' });
    server.use(...handlers(own, 'http://bench.invalid'));
    const agent = new OtaAgent({
      client: {
        baseUrl: 'http://bench.invalid',
        productId: demo.productId,
        accessKey: demo.productKey,
        now: own.clock.now,
      },
      devId: demo.devId,
      type: 2,
      manuf: demo.manuf,
      model: demo.model,
      version: 'V1.0',
      now: own.clock.now,
      install: async () => {},
    });
    expect(await agent.run()).toMatchObject({ outcome: 'upgraded', bytesDownloaded: demo.packageSize });
    expect(own.state.devices.get(demo.devId)?.sVersion).toBe('V2.0');
  });
});
