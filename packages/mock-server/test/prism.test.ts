import { createServer } from 'node:http';
import { createDeviceClient, createManagementClient, type OneNetClient } from '@onenet-ota/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, demo } from '../src/index.ts';
import { type RunningServer, startServer } from '../src/node.ts';
import { type RunningPrism, startPrism } from '../src/prism.ts';

// The stateful server's JSON traffic goes through `prism proxy --errors`, which answers 500 with `sl-violations`
// for any request or answer that breaks the spec. Downloads are binary and Range-based, which Prism cannot
// judge; download.test.ts proves them byte by byte instead.

let server: RunningServer;
let prism: RunningPrism;
let device: OneNetClient;
let admin: OneNetClient;
const violations: string[] = [];
const platform = createPlatform({ seed: 'demo' });

beforeAll(async () => {
  server = await startServer({ platform, port: 0 });
  prism = await startPrism({ upstream: server.url });
  const fetch = async (request: Request) => {
    const response = await globalThis.fetch(request);
    // Prism marks answers it judged: `sl-violations`, or an error of its own (a request it refused to forward).
    const prismError =
      response.headers.get('content-type')?.includes('problem') &&
      (await response.clone().text()).includes('stoplight.io/prism/errors');
    const found = response.headers.get('sl-violations') ?? (prismError ? await response.clone().text() : null);
    if (found) violations.push(`${request.method} ${new URL(request.url).pathname}: ${found}`);
    return response;
  };
  device = createDeviceClient({
    baseUrl: prism.url,
    productId: demo.productId,
    accessKey: demo.productKey,
    now: platform.clock.now,
    fetch,
  });
  admin = createManagementClient({ baseUrl: prism.url, fetch });
}, 30_000);
afterAll(async () => {
  await prism?.stop();
  await server?.close();
});

describe('prism proxy --errors in front of the stateful server', () => {
  it('finds nothing wrong in a whole upgrade and a round of management calls', async () => {
    const query = { dev_id: demo.devId, manuf: demo.manuf, model: demo.model, type: 2 as const, version: 'V1.0' };
    expect(
      (
        await device.POST('/ota/device/version', {
          params: { query: { dev_id: demo.devId } },
          body: { s_version: 'V1.0' },
        })
      ).data?.errno,
    ).toBe(0);
    const check = await device.GET('/ota/south/check', { params: { query } });
    const token = check.data?.data?.token ?? '';
    const path = { token };
    expect(
      (await device.GET('/ota/south/download/{token}/check', { params: { path, query: { dev_id: demo.devId } } })).data
        ?.errno,
    ).toBe(0);
    expect(
      (await device.GET('/ota/south/tasking', { params: { query: { dev_id: demo.devId, type: 2 } } })).data?.errno,
    ).toBe(0);
    const progress = { params: { path, query: { dev_id: demo.devId } } };
    for (const step of [10, 50, 201, 100])
      await device.POST('/ota/south/device/download/{token}/progress', { ...progress, body: { step: step as 10 } });
    await device.POST('/ota/south/report', { params: { query: { dev_id: demo.devId, token } }, body: { result: 201 } });
    await device.GET('/ota/device/version', { params: { query: { dev_id: demo.devId } } });
    await device.GET('/ota/devInfo', { params: { query: { pid: demo.productId, authInfo: demo.deviceName } } });
    await device.GET('/ota/check', { params: { query: { ...query, type: 1 } } });

    const productId = demo.productId;
    await admin.GET('/api/v1/products');
    await admin.GET('/api/v1/products/{productId}/devices', { params: { path: { productId } } });
    const group = await admin.POST('/api/v1/products/{productId}/groups', {
      params: { path: { productId } },
      body: { name: 'g', devIds: [demo.devId] },
    });
    await admin.GET('/api/v1/products/{productId}/groups/{groupId}', {
      params: { path: { productId, groupId: group.data?.id ?? '' } },
    });
    await admin.GET('/api/v1/products/{productId}/packages', { params: { path: { productId } } });
    const task = await admin.POST('/api/v1/products/{productId}/tasks', {
      params: { path: { productId } },
      body: {
        name: 'second',
        packageId: 'pkg_1',
        targets: { groupIds: [group.data?.id ?? ''] },
        strategy: { retry: { mode: 'retry', count: 2, intervalSeconds: 30 } },
      },
    });
    const taskId = task.data?.id ?? '';
    await admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId, taskId, action: 'start' } },
    });
    await admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices', { params: { path: { productId, taskId } } });
    await admin.GET('/api/v1/products/{productId}/tasks/{taskId}/stats', { params: { path: { productId, taskId } } });
    await admin.PATCH('/api/v1/products/{productId}/tasks/{taskId}', {
      params: { path: { productId, taskId } },
      body: { name: 'refused' },
    });
    await admin.GET('/api/v1/products/{productId}/tasks/{taskId}', {
      params: { path: { productId, taskId: 'tsk_404' } },
    });
    await admin.POST('/api/v1/products', { body: { name: 'second', manuf: '101', model: '10101' } });
    await admin.POST('/__mock/faults', {
      body: { match: { operation: 'checkToken' }, action: { kind: 'errno', errno: 19 } },
    });
    await admin.GET('/__mock/faults');
    await admin.GET('/__mock/clock');
    await admin.GET('/__mock/journal', { params: { query: { limit: 5 } } });
    await admin.POST('/__mock/snapshots');
    await admin.POST('/__mock/reset', { body: { seed: 'demo' } });
    expect(violations).toEqual([]);
  });

  it('does flag an answer that breaks the spec (so the test above can fail)', async () => {
    const bogus = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"errno":99,"error":"x"}');
    });
    await new Promise<void>((resolve) => bogus.listen(0, '127.0.0.1', resolve));
    const port = (bogus.address() as { port: number }).port;
    const proxy = await startPrism({ upstream: `http://127.0.0.1:${port}` });
    const response = await fetch(`${proxy.url}/ota/south/check?dev_id=1&manuf=100&model=10001&type=2&version=V1`, {
      headers: { Authorization: 'x' },
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('sl-violations')).toContain('errno');
    await proxy.stop();
    bogus.close();
  }, 30_000);
});
