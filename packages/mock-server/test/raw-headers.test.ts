import { describe, expect, it } from 'vitest';
import { RawHeaders } from '../src/core/http/raw-headers.ts';
import { createPlatform, demo } from '../src/index.ts';
import { startServer } from '../src/node.ts';
import { checkQuery } from './harness.ts';
import { rawRequest } from './raw-http.ts';

// RawHeaders reads Node's raw list as the fetch standard's Headers would show it: a device's few headers by a scan,
// a browser's many through a map, with the same answers either way.
describe('RawHeaders', () => {
  const device = ['Host', 'a', 'AUTHORIZATION', 'version=2018-10-31&sign=x', 'X-Trace', '1', 'x-trace', '2'];
  const padding = Array.from({ length: 20 }, (_, i) => [`X-Pad-${i}`, String(i)]).flat();

  it.each([
    ['a few headers (scanned)', device],
    ['many headers (mapped)', [...padding, ...device]],
  ])('reads %s case-insensitively, repeats joined', (_, raw) => {
    const headers = new RawHeaders(raw);
    expect(headers.get('authorization')).toBe('version=2018-10-31&sign=x');
    expect(headers.get('Authorization')).toBe('version=2018-10-31&sign=x');
    expect(headers.get('x-trace')).toBe('1, 2');
    expect(headers.get('range')).toBeNull();
    expect(headers.has('HOST')).toBe(true);
    expect(headers.has('origin')).toBe(false);
    expect(headers.first('x-trace')).toBe('1');
    const fetchHeaders = new Headers();
    for (let i = 0; i < raw.length; i += 2) fetchHeaders.append(raw[i] as string, raw[i + 1] as string);
    expect([...headers]).toEqual([...fetchHeaders]);
  });
});

describe('the node door', () => {
  it("refuses a device that sends Host twice, as OneNET's nginx does, saying so, and journals it", async () => {
    const platform = createPlatform({ seed: 'demo' });
    const server = await startServer({ platform, port: 0 });
    try {
      const { port } = new URL(server.url);
      const query = new URLSearchParams(Object.entries(checkQuery()).map(([k, v]) => [k, String(v)]));
      // rawRequest sends one Host; this is the second.
      const raw = await rawRequest(server.url, `/ota/south/check?${query}`, [['Host', `127.0.0.1:${port}`]]);
      expect(raw.statusLine).toMatch(/^HTTP\/1.1 400/);
      const problem = JSON.parse(raw.body.toString()) as { detail: string };
      expect(problem.detail).toMatch(
        /^the request carries Host more than once: OneNET's nginx .*duplicate host header/,
      );
      expect(platform.journal.query().entries.at(-1)).toMatchObject({
        operation: null,
        devId: demo.devId,
        note: problem.detail,
        response: { status: 400 },
      });
      const twice = await rawRequest(server.url, `/ota/south/check?${query}`, [
        ['Authorization', 'version=2018-10-31&res=products%2F1&et=1&method=md5&sign=a'],
        ['authorization', 'version=2018-10-31&res=products%2F1&et=1&method=md5&sign=a'],
      ]);
      expect(twice.statusLine).toMatch(/^HTTP\/1.1 400/);
      expect(JSON.parse(twice.body.toString()).detail).toMatch(/^the request carries Authorization more than once/);
    } finally {
      await server.close();
    }
  });
});
