import { createManagementClient } from '@onenet-ota/sdk';
import { describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { checkQuery, startHarness } from './harness.ts';

describe('a platform with an admin token', () => {
  it('refuses management and control calls without it (401), takes them with it, and leaves devices alone', async () => {
    const h = await startHarness({ seed: 'demo', adminToken: 'a-long-admin-token-0123456789' });
    try {
      const anonymous = await h.admin.GET('/api/v1/products');
      expect(anonymous.response.status).toBe(401);
      expect(anonymous.response.headers.get('www-authenticate')).toBe('Bearer realm="ota-mock"');
      const wrong = createManagementClient({
        baseUrl: h.url,
        adminToken: 'a-long-admin-token-0123456788',
        fetch: h.fetch,
      });
      expect((await wrong.POST('/__mock/reset', { body: { seed: 'none' } })).response.status).toBe(401);
      // Nothing was reset.
      expect(h.platform.state.products.size).toBe(1);

      const admin = createManagementClient({
        baseUrl: h.url,
        adminToken: 'a-long-admin-token-0123456789',
        fetch: h.fetch,
      });
      const listed = await admin.GET('/api/v1/products');
      expect(listed.response.status).toBe(200);
      expect(listed.data?.items[0]).not.toHaveProperty('accessKey');
      const withKeys = await admin.GET('/api/v1/products', { params: { query: { include: 'keys' } } });
      expect(withKeys.data?.items[0]?.accessKey).toBe(demo.productKey);

      const { data } = await h.device.GET('/ota/south/check', { params: { query: checkQuery() } });
      expect(data?.errno).toBe(0);

      // Every management operation wants it, device records included (their tag is `devices`, not `device`).
      for (const [path, method] of [
        ['/api/v1/products/123123/devices', 'GET'],
        ['/api/v1/products/123123/devices', 'POST'],
        [`/api/v1/products/123123/devices/${demo.devId}`, 'DELETE'],
        ['/api/v1/products/123123/groups', 'GET'],
      ] as const) {
        const refused = await h.fetch(
          new Request(`${h.url}${path}`, {
            method,
            ...(method === 'POST' ? { body: '{"name":"x"}', headers: { 'Content-Type': 'application/json' } } : {}),
          }),
        );
        expect(refused.status, `${method} ${path}`).toBe(401);
      }
      expect(h.platform.state.devices.has(demo.devId)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
