import { loadSpec } from '@onenet-ota/openapi';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specValidator } from '../src/core/http/spec.ts';
import { demo } from '../src/index.ts';
import { checkQuery, type Harness, startHarness } from './harness.ts';

// Where the spec and the server could each say something different about one input, they say the same, and the
// spec is the one that says it: each case asks both (DECISIONS 85).

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Problem = { errors?: { pointer: string }[] };

describe('the spec and the server agree', () => {
  it("on a push receiver's URL: the server refuses it as invalid exactly when the spec does", async () => {
    const validReceiver = specValidator().schema('PushReceiver');
    const url = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({ maxLength: 30 }).map((rest) => `http://${rest}`),
      fc.constantFrom(
        'http://[',
        'http://a:99999/',
        'https://%zz',
        'ftp://example.com',
        'http://',
        'http://a b',
        'http://$@&',
      ),
    );
    await fc.assert(
      fc.asyncProperty(url, async (candidate) => {
        const specOk = validReceiver({ url: candidate, token: 'abc' });
        const { response, error } = await h.admin.PATCH('/api/v1/products/{productId}', {
          params: { path: { productId: demo.productId } },
          body: { push: { url: candidate, token: 'abc' } },
        });
        const refusedUrl =
          response.status === 400 && ((error as Problem)?.errors ?? []).some((e) => e.pointer === '#/body/push/url');
        expect([candidate, refusedUrl]).toEqual([candidate, !specOk]);
      }),
      { numRuns: 150 },
    );
  });

  it('on an upload: an empty file is refused, as the spec says, and one byte is taken', async () => {
    const validFile = specValidator().schema('UploadedFile');
    expect([validFile(''), validFile(' ')]).toEqual([false, true]);
    const upload = (bytes: Uint8Array<ArrayBuffer>) =>
      h.fetch(
        new Request(
          `${h.url}/api/v1/products/${demo.productId}/packages?name=one&module=sota&targetVersion=V9&fileName=one.bin`,
          { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } },
        ),
      );
    const empty = await upload(new Uint8Array(0));
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as Problem).errors?.map((e) => e.pointer)).toEqual(['#/body']);
    expect((await upload(new Uint8Array([1]))).status).toBe(201);
  });

  it('on names: control characters and lone surrogates are refused, any other text is taken', async () => {
    const cases = [
      ['a\u0000b', false],
      ['tab\there', false],
      ['\ud800', false],
      ['end\udfff', false],
      ['水表 产品 🚀', true],
      ['name with spaces', true],
    ] as const;
    const validCreate = specValidator().schema('ProductCreate');
    for (const [name, taken] of cases) {
      const body = { name, manuf: '100', model: '10001' };
      expect([name, validCreate(body)]).toEqual([name, taken]);
      const { response, error } = await h.admin.POST('/api/v1/products', { body });
      expect([name, response.status]).toEqual([name, taken ? 201 : 400]);
      if (!taken) expect((error as Problem).errors?.map((e) => e.pointer)).toEqual(['#/body/name']);
    }
  });

  it('on query parameters no operation defines: ignored, as the spec says', async () => {
    expect(loadSpec()['x-unknown-query-parameters']).toBe('ignored');
    const calls = [
      `/ota/south/check?${new URLSearchParams(Object.entries(checkQuery()).map(([k, v]) => [k, String(v)]))}`,
      `/ota/device/version?dev_id=${demo.devId}`,
      `/api/v1/products/${demo.productId}/devices`,
      '/__mock/clock',
    ];
    for (const path of calls) {
      const plain = await h.fetch(new Request(`${h.url}${path}`, { headers: await headers(path) }));
      const extra = `${path}${path.includes('?') ? '&' : '?'}ts=1733450000&zz=%E4%BD%A0`;
      const withExtra = await h.fetch(new Request(`${h.url}${extra}`, { headers: await headers(path) }));
      const [a, b] = [await plain.json(), await withExtra.json()];
      expect([path, withExtra.status, strip(b)]).toEqual([path, plain.status, strip(a)]);
    }
  });
});

/** Device paths carry the demo product's token; the rest need none on loopback. */
async function headers(path: string): Promise<Record<string, string>> {
  if (!path.startsWith('/ota/')) return {};
  const { signToken, productResource } = await import('@onenet-ota/sdk');
  const token = await signToken({
    accessKey: demo.productKey,
    res: productResource(demo.productId),
    et: Math.floor(h.platform.clock.now() / 1000) + 3600,
  });
  return { Authorization: token };
}

/** What differs between two identical calls on purpose: a fresh token in a check answer. */
function strip(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body), (key, value) => (key === 'token' ? '…' : value));
}
