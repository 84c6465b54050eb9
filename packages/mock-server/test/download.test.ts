import { md5Hex } from '@onenet-ota/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo, demoImage } from '../src/index.ts';
import { demoToken, type Harness, startDownloading, startHarness, step } from './harness.ts';
import { header, rawRequest } from './raw-http.ts';

let h: Harness;
let token: string;
const image = demoImage(demo.packageSize);
beforeEach(async () => {
  ({ h, token } = await startDownloading());
});
afterEach(() => h.close());

const download = (range?: string, path = `/ota/south/download/${token}`) =>
  h.fetch(new Request(`${h.url}${path}`, range === undefined ? {} : { headers: { Range: range } }));

describe('GET /ota/south/download/{token}', () => {
  it.each([
    ['bytes=0-1023', 0, 1023],
    ['1024-2047', 1024, 2047],
    ['bytes=65000-', 65000, 65535],
    ['bytes=-100', 65436, 65535],
    ['01-02', 1, 2],
    ['bytes=65000-99999', 65000, 65535],
  ])('answers Range %s with 206 and exactly bytes %i-%i', async (range, start, end) => {
    const response = await download(range);
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${demo.packageSize}`);
    expect(response.headers.get('content-length')).toBe(String(end - start + 1));
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="demo-V2.0.bin"');
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(image.subarray(start, end + 1)))).toBe(true);
  });

  it.each([undefined, 'bytes=0-1,4-5', 'lines=1-2'])('answers %s with 200 and the whole file', async (range) => {
    const response = await download(range);
    expect(response.status).toBe(200);
    expect(md5Hex(new Uint8Array(await response.arrayBuffer()))).toBe(md5Hex(image));
  });

  it('journals what it made of each Range: the bounds asked, the rule that decided, the bytes served', async () => {
    for (const range of ['bytes=0-1023', '70000-70100', 'bytes=70000-', 'bytes=9-9', 'bytes=0-1,4-5'])
      await (await download(range)).arrayBuffer();
    await (await download()).arrayBuffer();
    const read = h.platform.journal
      .query({ operation: 'downloadPackage', limit: 6 })
      .entries.slice(-6)
      .map((e) => [e.request.headers.range, e.range]);
    const length = demo.packageSize;
    expect(read).toEqual([
      [
        'bytes=0-1023',
        { asked: { unit: true, first: 0, last: 1023 }, rule: 'as-asked', served: { start: 0, end: 1023, length } },
      ],
      // s > e once e is clamped to the file: OneNET starts at 0 (protocol §2.4).
      [
        '70000-70100',
        {
          asked: { unit: false, first: 70000, last: 70100 },
          rule: 'start-reset',
          served: { start: 0, end: length - 1, length },
        },
      ],
      [
        'bytes=70000-',
        { asked: { unit: true, first: 70000 }, rule: 'restart', served: { start: 0, end: length - 1, length } },
      ],
      ['bytes=9-9', { asked: { unit: true, first: 9, last: 9 }, rule: 'one-byte' }],
      ['bytes=0-1,4-5', { rule: 'unreadable' }],
      [undefined, { rule: 'none' }],
    ]);
  });

  it('covers the file with fragments whose md5 matches the check response', async () => {
    const parts: Uint8Array[] = [];
    for (let offset = 0; offset < demo.packageSize; offset += 4096) {
      parts.push(new Uint8Array(await (await download(`bytes=${offset}-${offset + 4095}`)).arrayBuffer()));
    }
    expect(md5Hex(Buffer.concat(parts))).toBe(md5Hex(image));
  });

  it('is served on the seed path /ota/download/{token} too', async () => {
    expect((await download('bytes=0-9', `/ota/download/${token}`)).status).toBe(206);
  });

  it('accepts a valid Authorization and refuses an invalid one with error byte 3', async () => {
    const { data } = await h.device.GET('/ota/south/download/{token}', {
      params: { path: { token }, header: { Range: 'bytes=0-9' } },
      parseAs: 'arrayBuffer',
    });
    expect(data?.byteLength).toBe(10);
    const raw = await rawRequest(h.url, `/ota/south/download/${token}`, {
      Authorization: 'version=2018-10-31&res=products%2F123123&et=9999999999&method=sha1&sign=AAAA',
    });
    expect(raw.body.toString()).toBe('3');
  });
});

describe('download errors as OneNET signals them', () => {
  it('sends error byte 3 for an unknown token: HTTP/1.1, no Content-Length, body ended by close', async () => {
    const raw = await rawRequest(h.url, '/ota/south/download/ota_AAAAAAAAAAAAAAAAAAAA');
    expect(raw.statusLine).toBe('HTTP/1.1 200 OK');
    expect(header(raw, 'Content-Length')).toBeUndefined();
    expect(header(raw, 'Transfer-Encoding')).toBeUndefined();
    expect(header(raw, 'Connection')).toBe('close');
    // Once (issue 29: the answer named it and the door added it again).
    expect(raw.headers.filter(([name]) => name.toLowerCase() === 'connection')).toEqual([['Connection', 'close']]);
    expect(raw.body.toString()).toBe('3');
    expect(raw.ending).toBe('closed');
  });

  it('sends error byte 3 once the device finished, and 2 when the package size changed', async () => {
    await step(h, token, 101);
    await step(h, token, 201);
    expect((await rawRequest(h.url, `/ota/south/download/${token}`)).body.toString()).toBe('3');

    const again = await startHarness();
    const t = await demoToken(again);
    const pkg = again.platform.state.packages.get('pkg_1');
    if (pkg) Object.assign(pkg, { bytes: pkg.bytes.subarray(0, 1000), size: 1000 });
    expect((await rawRequest(again.url, `/ota/south/download/${t}`)).body.toString()).toBe('2');
    await again.close();
  });

  it('sends error byte 1 once the package is gone', async () => {
    h.platform.state.packages.delete('pkg_1');
    expect((await rawRequest(h.url, `/ota/south/download/${token}`)).body.toString()).toBe('1');
  });
});

describe('answers small embedded HTTP clients can read', () => {
  it('uses canonical header names and at most 10 headers on every southbound answer', async () => {
    const answers = [
      await rawRequest(h.url, `/ota/south/download/${token}`, { Range: 'bytes=0-15' }),
      await rawRequest(h.url, `/ota/south/download/${token}`),
      await rawRequest(h.url, '/ota/south/download/ota_AAAAAAAAAAAAAAAAAAAA'),
      await rawRequest(h.url, `/ota/south/download/${token}/check?dev_id=${demo.devId}`),
    ];
    for (const raw of answers) {
      expect(raw.statusLine).toMatch(/^HTTP\/1\.1 \d{3} /);
      expect(raw.headers.length).toBeLessThanOrEqual(10);
      for (const [name] of raw.headers) expect(name).toMatch(/^[A-Z][a-z]*(-[A-Z][a-z]*)*$/);
    }
    expect(answers[3]?.body.length).toBeLessThanOrEqual(512);
  });
});

describe('RFC 9110 dialect', () => {
  it('answers a start beyond the end with 416 and bytes */len', async () => {
    const rfc = await startHarness({ seed: 'demo', rangeDialect: 'rfc9110' });
    const t = await demoToken(rfc);
    const response = await rfc.fetch(
      new Request(`${rfc.url}/ota/south/download/${t}`, { headers: { Range: 'bytes=70000-' } }),
    );
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${demo.packageSize}`);
    const plain = await rfc.fetch(new Request(`${rfc.url}/ota/south/download/${t}`, { headers: { Range: '0-9' } }));
    expect(plain.status).toBe(200);
    await plain.arrayBuffer();
    await rfc.close();
  });
});

describe('the connection limit', () => {
  it('closes a connection after its last allowed request, as OneNET does after 1000', async () => {
    const platform = (await import('../src/index.ts')).createPlatform({ seed: 'demo' });
    const server = await (await import('../src/node.ts')).startServer({
      platform,
      port: 0,
      maxRequestsPerConnection: 3,
    });
    const { connect } = await import('node:net');
    const { hostname, port } = new URL(server.url);
    const answers = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), hostname);
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
      const get = `GET /__mock/clock HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`;
      socket.write(get.repeat(4));
    });
    expect(answers.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
    expect(answers.match(/Connection: close/g)).toHaveLength(1);
    await server.close();
  });
});
