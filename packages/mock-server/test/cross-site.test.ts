import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, demo, type Platform } from '../src/index.ts';
import { type RunningServer, startServer } from '../src/node.ts';

// What a web page of another site can send through the tester's browser, and what a page that rebinds its own
// domain to this machine can read (issue 28), checked request by request over real HTTP.

let platform: Platform;
let server: RunningServer;
let port: number;
beforeAll(async () => {
  platform = createPlatform({ seed: 'demo' });
  server = await startServer({ port: 0, platform, allowedHosts: ['ota-bench.lan', '.bench.example'] });
  port = Number(new URL(server.url).port);
});
afterAll(() => server.close());

/** One request with exactly these headers (Host included), over node:http. */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const own = () => `127.0.0.1:${port}`;
const task = `/api/v1/products/${demo.productId}/tasks/tsk_1`;
const state = () => platform.state.tasks.get('tsk_1')?.state;

describe('a state-changing call a page of another site could send', () => {
  it.each([
    ['a cross-site Origin', { Origin: 'https://evil.example' }, 403, 'a page at https://evil.example may not change'],
    ['an opaque Origin (a sandboxed frame)', { Origin: 'null' }, 403, 'a page at null may not change'],
    [
      'a form body',
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      415,
      'not application/x-www-form-urlencoded',
    ],
    ['plain text', { 'Content-Type': 'text/plain;charset=UTF-8' }, 415, "curl: -H 'Content-Type: application/json'"],
  ])('is refused with %s, and nothing changes', async (_what, headers, status, detail) => {
    const before = platform.state.products.size;
    const answer = await send(
      'POST',
      '/api/v1/products',
      { Host: own(), ...headers },
      '{"name":"pwned","manuf":"101","model":"10101"}',
    );
    expect(answer.status).toBe(status);
    expect(answer.text).toContain(detail);
    expect(platform.state.products.size).toBe(before);
  });

  it('is taken from the console (its own origin), a loopback page --cors allows, and a client with no Origin', async () => {
    for (const origin of [`http://${own()}`, 'http://localhost:5173', undefined]) {
      const headers: Record<string, string> = { Host: own(), ...(origin ? { Origin: origin } : {}) };
      expect((await send('POST', `${task}/pause`, headers)).status).toBe(200);
      expect(state()).toBe('paused');
      expect((await send('POST', `${task}/resume`, headers)).status).toBe(200);
      expect(state()).toBe('running');
    }
    const json = await send(
      'POST',
      '/__mock/clock/advance',
      { Host: own(), 'Content-Type': 'application/json' },
      '{"ms":1}',
    );
    expect(json.status).toBe(200);
  });

  it('is refused as DELETE from another site too; reads and device calls are not judged by Origin', async () => {
    expect((await send('DELETE', `${task}`, { Host: own(), Origin: 'https://evil.example' })).status).toBe(403);
    expect(state()).toBe('running');
    expect((await send('GET', '/api/v1/products', { Host: own(), Origin: 'https://evil.example' })).status).toBe(200);
    // A device call is answered in the device's own terms whatever its Origin: it is signed (here it is not: errno
    // 1), and a page cannot read the answer.
    const report = await send(
      'POST',
      `/ota/device/version?dev_id=${demo.devId}`,
      { Host: own(), Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
      '{"s_version":"V1.0"}',
    );
    expect([report.status, JSON.parse(report.text).errno]).toEqual([200, 1]);
  });
});

describe('a Host that does not name the platform', () => {
  it.each([
    ['a rebound domain', 'rebind.evil.example'],
    ['a name with a port', 'rebind.evil.example:8787'],
    ['a near miss of an allowed suffix', 'evilbench.example'],
  ])('gets 403 and no key from the management API and /__mock: %s', async (_what, host) => {
    const keys = await send('GET', '/api/v1/products?include=keys', { Host: host });
    expect(keys.status).toBe(403);
    expect(keys.text).toContain('is not a name of this platform; if it is yours, start ota-mock with --allowed-host');
    expect(keys.text).not.toContain(platform.state.products.get(demo.productId)?.accessKey ?? '-');
    expect((await send('POST', '/__mock/reset', { Host: host })).status).toBe(403);
    expect((await send('GET', '/__mock/ui', { Host: host })).status).toBe(403);
    expect(platform.state.products.size).toBe(1);
  });

  it('is served as an IP address, localhost, *.localhost, an --allowed-host name or under an allowed domain', async () => {
    for (const host of [own(), `localhost:${port}`, 'console.localhost', '[::1]', 'ota-bench.lan', 'a.bench.example'])
      expect([host, (await send('GET', '/api/v1/products', { Host: host })).status]).toEqual([host, 200]);
  });

  it('does not matter on device paths: devices send OneNET names, addresses, anything', async () => {
    for (const host of ['ota.heclouds.com', 'x', 'rebind.evil.example']) {
      const answer = await send('GET', `/ota/south/check?dev_id=${demo.devId}&type=2&version=V1.0`, { Host: host });
      expect([host, answer.status, JSON.parse(answer.text).errno]).toEqual([host, 200, 1]);
    }
  });
});
