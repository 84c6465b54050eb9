import { request as httpRequest } from 'node:http';
import { deviceResource, productResource, signToken } from '@onenet-ota/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { checkQuery, type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const nowSeconds = () => Math.floor(h.platform.clock.now() / 1000);
const checkWith = async (authorization: string) => {
  const response = await h.fetch(
    new Request(`${h.url}/ota/south/check?${new URLSearchParams(checkQuery() as never)}`, {
      headers: { Authorization: authorization },
    }),
  );
  return ((await response.json()) as { errno: number }).errno;
};
const lastNote = () => h.platform.journal.query().entries.at(-1)?.note;

describe('Authorization on southbound calls', () => {
  it.each(['md5', 'sha1', 'sha256'] as const)('accepts a product-level token signed with %s', async (method) => {
    expect(
      await checkWith(
        await signToken({
          accessKey: demo.productKey,
          res: productResource(demo.productId),
          et: nowSeconds() + 60,
          method,
        }),
      ),
    ).toBe(0);
  });

  it('accepts a device-level token signed with the device key, and refuses one for another device', async () => {
    const res = deviceResource(demo.productId, demo.deviceName);
    expect(await checkWith(await signToken({ accessKey: demo.deviceKey, res, et: nowSeconds() + 60 }))).toBe(0);
    const other = await h.admin.POST('/api/v1/products/{productId}/devices', {
      params: { path: { productId: demo.productId } },
      body: { name: 'other' },
    });
    const token = await signToken({
      accessKey: other.data?.accessKey ?? '',
      res: deviceResource(demo.productId, 'other'),
      et: nowSeconds() + 60,
    });
    expect(await checkWith(token)).toBe(1);
    expect(lastNote()).toMatch(/token is for device other/);
  });

  it("accepts the unencoded form of the OTA docs' curl examples, with a literal + in sign", async () => {
    let encoded = '';
    let et = nowSeconds() + 60;
    // Find an et whose signature contains '+', so the test proves it is not read as a space.
    while (!decodeURIComponent(encoded).includes('+')) {
      et++;
      encoded =
        (await signToken({ accessKey: demo.productKey, res: productResource(demo.productId), et })).split('sign=')[1] ??
        '';
    }
    const raw = `version=2018-10-31&res=products/${demo.productId}&et=${et}&method=sha1&sign=${decodeURIComponent(encoded)}`;
    expect(await checkWith(raw)).toBe(0);
  });

  it('refuses an expired et on the platform clock with errno 1 and says why in the journal', async () => {
    const token = await signToken({
      accessKey: demo.productKey,
      res: productResource(demo.productId),
      et: nowSeconds() + 60,
    });
    h.platform.clock.advance(61_000);
    expect(await checkWith(token)).toBe(1);
    expect(lastNote()).toMatch(/expired/);
  });

  it('refuses a token of another product and a wrong key', async () => {
    expect(
      await checkWith(
        await signToken({ accessKey: demo.productKey, res: productResource('999'), et: nowSeconds() + 60 }),
      ),
    ).toBe(1);
    expect(
      await checkWith(
        await signToken({ accessKey: demo.deviceKey, res: productResource(demo.productId), et: nowSeconds() + 60 }),
      ),
    ).toBe(1);
    expect(lastNote()).toMatch(/signature/);
  });
});

describe('devInfo as documented: a GET with a JSON body', () => {
  it('reads pid and authInfo from the body', async () => {
    const authorization = await signToken({
      accessKey: demo.productKey,
      res: productResource(demo.productId),
      et: nowSeconds() + 60,
    });
    const { hostname, port } = new URL(h.url);
    const body = JSON.stringify({ pid: Number(demo.productId), authInfo: demo.deviceName });
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          hostname,
          port,
          path: '/ota/devInfo',
          method: 'GET',
          headers: { Authorization: authorization, 'Content-Type': 'application/json', 'Content-Length': body.length },
        },
        (res) => {
          let data = '';
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve(data));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(JSON.parse(text)).toEqual({ errno: 0, error: 'succ', data: { dev_id: String(demo.devId) } });
  });
});
