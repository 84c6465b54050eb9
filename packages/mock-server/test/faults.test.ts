import { md5Hex } from '@onenet-ota/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo, demoImage, type FaultCreate } from '../src/index.ts';
import {
  checkDemoToken,
  demoAuthorization,
  demoToken,
  type Harness,
  startDownloading,
  startHarness,
  uploadPackage,
} from './harness.ts';
import { header, rawRequest } from './raw-http.ts';

let h: Harness;
let token: string;
const image = demoImage(demo.packageSize);
beforeEach(async () => {
  ({ h, token } = await startDownloading());
});
afterEach(() => h.close());

const addFault = async (fault: FaultCreate) => {
  const { data, response } = await h.admin.POST('/__mock/faults', { body: fault });
  expect(response.status).toBe(201);
  return data;
};
const downloadRaw = (range?: string) =>
  rawRequest(h.url, `/ota/south/download/${token}`, range ? { Range: range } : {});

describe('fault injection', () => {
  it('resets the connection after N bytes of the body', async () => {
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'reset', afterBytes: 40_000 } });
    const raw = await downloadRaw();
    expect(raw.ending).toBe('reset');
    expect(raw.body.length).toBeLessThan(demo.packageSize);
    const entry = h.platform.journal.query({ operation: 'downloadPackage' }).entries[0];
    expect(entry?.response).toMatchObject({ bytesSent: 40_000, aborted: true });
    expect((await downloadRaw()).body.length).toBe(demo.packageSize);
  });

  it('answers a request fault after the token was judged, so the journal says who asked (the authenticate stage)', async () => {
    await addFault({ match: { operation: 'checkToken' }, action: { kind: 'errno', errno: 7 }, times: 2 });
    const ask = (authorization?: string) =>
      fetch(`${h.url}/ota/south/download/${token}/check?dev_id=${demo.devId}`, {
        headers: authorization ? { Authorization: authorization } : {},
      }).then((r) => r.json());
    expect(await ask(await demoAuthorization(h.platform))).toMatchObject({ errno: 7 });
    expect(await ask('version=2018-10-31&res=products%2Fnope&et=1&method=sha1&sign=x')).toMatchObject({ errno: 7 });
    const [accepted, refused] = h.platform.journal.query({ operation: 'checkToken' }).entries.slice(-2);
    expect([accepted?.auth, accepted?.note]).toEqual(['accepted', 'fault: errno 7']);
    expect([refused?.auth, refused?.note]).toEqual(['refused', 'fault: errno 7']);
  });

  it('truncates a body whose Content-Length was announced', async () => {
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'truncate', afterBytes: 1000 } });
    const raw = await downloadRaw('bytes=0-4095');
    expect(header(raw, 'Content-Length')).toBe('4096');
    expect(raw.body.length).toBe(1000);
  });

  it('corrupts bytes at a package offset, so the md5 fails', async () => {
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'corrupt', atByte: 5000, count: 3 } });
    const fragment = (await downloadRaw('bytes=4096-8191')).body;
    expect(fragment[5000 - 4096]).toBe((image[5000] as number) ^ 0xff);
    expect(fragment[5003 - 4096]).toBe(image[5003]);
    expect(image[5000]).toBe(demoImage(demo.packageSize)[5000]);
  });

  it('answers a Range request with 200 and the whole file (ignore-range)', async () => {
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'ignore-range' } });
    const raw = await downloadRaw('bytes=0-99');
    expect(raw.statusLine).toBe('HTTP/1.1 200 OK');
    expect(md5Hex(raw.body)).toBe(md5Hex(image));
  });

  it('sends a JSON answer chunked, without Content-Length, and leaves a package fragment as it is', async () => {
    const fault = await addFault({ match: { devId: demo.devId }, action: { kind: 'chunked' } });
    const checkPath = `/ota/south/download/${token}/check?dev_id=${demo.devId}`;
    const raw = await rawRequest(h.url, checkPath, { Authorization: await demoAuthorization(h.platform) });
    expect(header(raw, 'Transfer-Encoding')).toBe('chunked');
    expect(header(raw, 'Content-Length')).toBeUndefined();
    // One chunk, its size in hex, then the last chunk.
    const [, size = '', json = ''] = /^([0-9a-f]+)\r\n([\s\S]*)\r\n0\r\n\r\n$/.exec(raw.body.toString('latin1')) ?? [];
    expect(Number.parseInt(size, 16)).toBe(Buffer.byteLength(json));
    expect(JSON.parse(json)).toMatchObject({ errno: 0 });
    // The journal keeps the answer as the platform made it, and the fault that framed it.
    expect(h.platform.journal.query({ operation: 'checkToken' }).entries.at(-1)).toMatchObject({
      response: { bytesSent: Buffer.byteLength(json) },
      faults: [fault?.id],
    });
    const fragment = await downloadRaw('bytes=0-99');
    expect(header(fragment, 'Content-Length')).toBe('100');
    expect(header(fragment, 'Transfer-Encoding')).toBeUndefined();
    // In process the answer reads as any other.
    const inProcess = await h.fetch(
      new Request(`${h.url}${checkPath}`, { headers: { Authorization: await demoAuthorization(h.platform) } }),
    );
    expect(await inProcess.json()).toMatchObject({ errno: 0 });
  });

  it('answers another range than asked, with a Content-Range that says so', async () => {
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'wrong-content-range', shift: 10 } });
    const raw = await downloadRaw('bytes=100-199');
    expect(header(raw, 'Content-Range')).toBe(`bytes 110-209/${demo.packageSize}`);
    expect(raw.body.equals(Buffer.from(image.subarray(110, 210)))).toBe(true);
  });

  it('stalls after N bytes, throttles to a bandwidth, and delays an answer (wall time)', async () => {
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'stall', afterBytes: 10, ms: 150 } });
    let started = performance.now();
    expect((await downloadRaw('bytes=0-99')).body.length).toBe(100);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'throttle', bytesPerSecond: 20_000 } });
    started = performance.now();
    expect((await downloadRaw('bytes=0-3999')).body.length).toBe(4000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    await addFault({ match: { operation: 'checkToken' }, action: { kind: 'delay', ms: 100 } });
    started = performance.now();
    await checkDemoToken(h, token);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('answers a given errno, a 5xx, or a download error byte', async () => {
    await addFault({ match: { operation: 'checkToken' }, action: { kind: 'errno', errno: 12 } });
    expect(await checkDemoToken(h, token)).toBe(12);
    expect(await checkDemoToken(h, token)).toBe(0);
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'status', status: 503 } });
    expect((await downloadRaw()).statusLine).toBe('HTTP/1.1 503 Service Unavailable');
    await addFault({ match: { operation: 'downloadPackage' }, action: { kind: 'error-byte', code: '4' } });
    const raw = await downloadRaw();
    expect([raw.body.toString(), header(raw, 'Content-Length')]).toEqual(['4', undefined]);
  });

  it("refuses an errno that is not in the operation's table", async () => {
    const { response, error } = await h.admin.POST('/__mock/faults', {
      body: { match: { operation: 'checkTask' }, action: { kind: 'errno', errno: 12 } },
    });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ errors: [{ pointer: '#/body/action/errno' }] });
  });

  it('revokes the token (18) and replaces the package mid-download (md5 no longer matches)', async () => {
    await addFault({ match: { operation: 'checkToken' }, action: { kind: 'revoke-token' } });
    expect(await checkDemoToken(h, token)).toBe(18);

    const h2 = await startHarness();
    const t2 = await demoToken(h2);
    const upload = await uploadPackage(h2, new Uint8Array(demo.packageSize).fill(1), { name: 'other' });
    const other = (await upload.json()) as { id: string };
    await h2.admin.POST('/__mock/faults', {
      body: {
        match: { operation: 'downloadPackage', nth: 2 },
        action: { kind: 'replace-package', packageId: other.id },
      },
    });
    const first = await rawRequest(h2.url, `/ota/south/download/${t2}`, { Range: 'bytes=0-9' });
    const second = await rawRequest(h2.url, `/ota/south/download/${t2}`, { Range: 'bytes=10-19' });
    expect(first.body.equals(Buffer.from(image.subarray(0, 10)))).toBe(true);
    expect([...second.body]).toEqual(new Array(10).fill(1));
    await h2.close();
  });

  it('matches by device and nth request, fires `times` times, and lists its hits', async () => {
    const fault = await addFault({
      match: { devId: demo.devId, operation: 'checkToken', nth: 2 },
      action: { kind: 'errno', errno: 19 },
      times: 1,
    });
    expect([await checkDemoToken(h, token), await checkDemoToken(h, token), await checkDemoToken(h, token)]).toEqual([
      0, 19, 0,
    ]);
    const { data } = await h.admin.GET('/__mock/faults');
    expect(data?.find((f) => f.id === fault?.id)?.hits).toBe(1);
    await h.admin.DELETE('/__mock/faults/{faultId}', { params: { path: { faultId: fault?.id ?? '' } } });
    expect((await h.admin.GET('/__mock/faults')).data).toEqual([]);
  });
});
