import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeSign,
  createTokenSource,
  deviceResource,
  parseToken,
  productResource,
  signToken,
  verifyToken,
} from '../src/index.ts';

// The public test vector of the protocol §1.6 (recomputed there with Python's hmac).
const vector = {
  accessKey: 'KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=',
  et: 1537255523,
  method: 'sha1',
  res: 'products/123123',
  version: '2018-10-31',
  sign: 'lsaPSiiGvEFFjXu5WU7a6IkScqE=',
  header: 'version=2018-10-31&res=products%2F123123&et=1537255523&method=sha1&sign=lsaPSiiGvEFFjXu5WU7a6IkScqE%3D',
} as const;

describe('signToken', () => {
  it('reproduces the public test vector', async () => {
    expect(await computeSign(vector)).toBe(vector.sign);
    expect(await signToken(vector)).toBe(vector.header);
  });

  it.each(['md5', 'sha1', 'sha256'] as const)('signs et\\nmethod\\nres\\nversion with HMAC-%s', async (method) => {
    const res = deviceResource('123123', 'bench-01');
    const want = createHmac(method, Buffer.from(vector.accessKey, 'base64'))
      .update(`1800000000\n${method}\n${res}\n2018-10-31`)
      .digest('base64');
    expect(await computeSign({ accessKey: vector.accessKey, res, et: 1800000000, method })).toBe(want);
  });

  it("URL-encodes exactly the characters of OneNET's table", async () => {
    const header = await signToken({ accessKey: vector.accessKey, res: deviceResource('123123', 'a b'), et: 1 });
    expect(header).toMatch(
      /^version=2018-10-31&res=products%2F123123%2Fdevices%2Fa%20b&et=1&method=sha1&sign=[A-Za-z0-9%]+$/,
    );
    expect(header).not.toMatch(/sign=[^&]*[+/=]/);
  });
});

describe('parseToken', () => {
  it('reads the encoded form, the raw form of the OTA docs, and any key order', () => {
    const raw = 'sign=lsaPSiiGvEFFjXu5WU7a6IkScqE=&method=SHA1&et=1537255523&res=products/123123&version=2018-10-31';
    for (const [header, methodAsSent] of [
      [vector.header, 'sha1'],
      [raw, 'SHA1'],
    ] as const) {
      expect(parseToken(header)).toEqual({
        version: vector.version,
        res: vector.res,
        et: vector.et,
        method: 'sha1',
        methodAsSent,
        sign: vector.sign,
      });
    }
  });

  it('keeps a raw + literal instead of reading it as a space', () => {
    expect(parseToken('version=v&res=products/1&et=1&method=md5&sign=a+b/c=').sign).toBe('a+b/c=');
  });

  it.each([
    ['', /missing|key=value/],
    ['version=2018-10-31&res=products%2F1&et=soon&method=sha1&sign=x', /et "soon"/],
    ['version=2018-10-31&res=products%2F1&et=1&method=sha512&sign=x', /method "sha512"/],
    ['version=2018-10-31&res=products%2F1&et=1&method=sha1', /missing sign/],
    ['version=1&version=2&res=r&et=1&method=md5&sign=s', /appears twice/],
  ])('refuses %j with a reason', (header, reason) => {
    expect(() => parseToken(header)).toThrow(reason);
  });
});

describe('verifyToken', () => {
  const deviceKey = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
  const keyFor = (productId: string, deviceName?: string) =>
    productId !== '123123'
      ? undefined
      : deviceName === undefined
        ? vector.accessKey
        : deviceName === 'bench-01'
          ? deviceKey
          : undefined;

  it('accepts the vector before its et and names the product', async () => {
    const verdict = await verifyToken(vector.header, { keyFor, nowSeconds: vector.et - 1 });
    expect(verdict).toEqual({ ok: true, subject: { level: 'product', productId: '123123', expiresAt: vector.et } });
  });

  it('refuses the vector with its signature in non-canonical base64 (spare bits set): same bytes, not as signed', async () => {
    // 20 bytes take 27 base64 characters and 2 spare bits: `E` and `F` differ only there.
    const respelled = vector.header.replace('IkScqE%3D', 'IkScqF%3D');
    expect(respelled).not.toBe(vector.header);
    const verdict = await verifyToken(respelled, { keyFor, nowSeconds: vector.et - 1 });
    expect(verdict).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('accepts a device-level token signed with the device key', async () => {
    const header = await signToken({ accessKey: deviceKey, res: deviceResource('123123', 'bench-01'), et: 2000 });
    const verdict = await verifyToken(header, { keyFor, nowSeconds: 1000 });
    expect(verdict).toMatchObject({ ok: true, subject: { level: 'device', deviceName: 'bench-01' } });
  });

  it('accepts `method` in capitals, whether the client signed the capitals or the lower case (LuatOS sends SHA256)', async () => {
    const signed = async (text: string) => {
      const key = Uint8Array.from(atob(vector.accessKey), (c) => c.charCodeAt(0));
      const mac = await crypto.subtle.sign(
        'HMAC',
        await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
        new TextEncoder().encode(`${vector.et}\n${text}\nproducts/123123\n2018-10-31`),
      );
      const sign = btoa(String.fromCharCode(...new Uint8Array(mac)));
      return `version=2018-10-31&res=products%2F123123&et=${vector.et}&method=SHA256&sign=${encodeURIComponent(sign)}`;
    };
    for (const text of ['SHA256', 'sha256']) {
      const verdict = await verifyToken(await signed(text), { keyFor, nowSeconds: vector.et - 1 });
      expect(verdict.ok, `signed over ${text}`).toBe(true);
    }
    expect((await verifyToken(await signed('Sha256'), { keyFor, nowSeconds: vector.et - 1 })).ok).toBe(false);
  });

  it.each([
    ['an expired et', vector.header, vector.et + 1, /expired/],
    ['no header', null, 0, /no Authorization/],
    ['an unknown product', vector.header.replace('123123', '999'), 0, /no product/],
    ['a tampered signature', vector.header.replace('lsaP', 'lsaQ'), 0, /signature/],
    ['a wrong version', vector.header.replace('2018-10-31', '2022-05-01'), 0, /version/],
    [
      'the product key on a device res',
      vector.header.replace('products%2F123123', 'products%2F123123%2Fdevices%2Fbench-01'),
      0,
      /signature/,
    ],
  ])('refuses %s', async (_name, header, nowSeconds, reason) => {
    const verdict = await verifyToken(header, { keyFor, nowSeconds });
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });
});

describe('createTokenSource', () => {
  it('reuses a token until it is close to expiry, then signs a new one', async () => {
    let now = 1_000_000_000_000;
    const tokens = createTokenSource({
      accessKey: vector.accessKey,
      res: productResource('1'),
      lifetimeSeconds: 3600,
      renewBeforeSeconds: 600,
      now: () => now,
    });
    const first = await tokens.get();
    expect(parseToken(first).et).toBe(now / 1000 + 3600);
    now += 2999_000;
    expect(await tokens.get()).toBe(first);
    now += 2_000;
    const renewed = await tokens.get();
    expect(renewed).not.toBe(first);
    expect(parseToken(renewed).et).toBe(now / 1000 + 3600);
  });
});
