import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, demo, type Platform } from '../src/index.ts';
import { type RunningServer, startServer } from '../src/node.ts';
import { executablePath, haveChromium, launchChromium } from './chromium.ts';

// The SDK in a real browser (Debian's Chromium driven by playwright-core, not jsdom): its entry bundled for the
// browser, loaded by a page on one loopback origin, talking to ota-mock on another. Signing (WebCrypto), MD5,
// ranged downloads and the CORS the platform grants are all the browser's own.

let platform: Platform;
let mock: RunningServer;
let page: { url: string; close(): Promise<void> };

beforeAll(async () => {
  if (!haveChromium) return;
  platform = createPlatform({ seed: 'demo' });
  mock = await startServer({ port: 0, platform });
  const bundle = await build({
    entryPoints: [new URL('../../sdk/src/index.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  const sdk = bundle.outputFiles[0]?.contents ?? new Uint8Array();
  const html = `<!doctype html><meta charset="utf-8"><title>device console</title><script type="module">
import { createDeviceClient, MemoryStore, Md5, OtaAgent } from '/sdk.js';
const client = { baseUrl: ${JSON.stringify(mock.url)}, productId: ${JSON.stringify(demo.productId)}, accessKey: ${JSON.stringify(demo.productKey)} };
try {
  const device = createDeviceClient(client);
  const check = await device.GET('/ota/south/check', { params: { query: { dev_id: ${demo.devId}, manuf: '${demo.manuf}', model: '${demo.model}', type: 2, version: '${demo.fromVersion}' } } });
  const md5 = new Md5();
  const agent = new OtaAgent({ client, devId: ${demo.devId}, type: 2, manuf: '${demo.manuf}', model: '${demo.model}', version: '${demo.fromVersion}',
    store: new MemoryStore(), install: async (chunks) => { for await (const chunk of chunks) md5.update(chunk); } });
  const upgrade = await agent.run();
  window.result = { check: check.data, upgrade, md5: md5.hex(), userAgent: navigator.userAgent };
} catch (error) { window.result = { error: String(error) }; }
</script>`;
  // The mock platform itself in the page, behind MSW's service worker: the app's requests to OneNET's host never
  // leave the browser.
  const mswApp = await build({
    stdin: {
      contents: `
import { setupWorker } from 'msw/browser';
import { createPlatform } from '@onenet-ota/mock-server';
import { handlers } from '@onenet-ota/mock-server/msw';
import { MemoryStore, Md5, OtaAgent } from '@onenet-ota/sdk';
try {
  const platform = createPlatform({ seed: 'demo' });
  await setupWorker(...handlers(platform)).start({ quiet: true, serviceWorker: { url: '/mockServiceWorker.js' } });
  const md5 = new Md5();
  const agent = new OtaAgent({
    client: { baseUrl: 'http://ota.heclouds.com', productId: '${demo.productId}', accessKey: '${demo.productKey}' },
    devId: ${demo.devId}, type: 2, manuf: '${demo.manuf}', model: '${demo.model}', version: '${demo.fromVersion}',
    store: new MemoryStore(), install: async (chunks) => { for await (const chunk of chunks) md5.update(chunk); },
  });
  const upgrade = await agent.run();
  const journal = platform.journal.query({}).entries.map((e) => e.operation);
  window.result = { upgrade, md5: md5.hex(), expected: platform.state.packages.get('pkg_1').md5, journal };
} catch (error) { window.result = { error: String(error) }; }`,
      resolveDir: new URL('..', import.meta.url).pathname,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  const worker = readFileSync(createRequire(import.meta.url).resolve('msw/mockServiceWorker.js'));
  const routes: Record<string, [string, Uint8Array | string]> = {
    '/': ['text/html', html],
    '/sdk.js': ['text/javascript', sdk],
    '/msw': ['text/html', '<!doctype html><meta charset="utf-8"><script type="module" src="/msw-app.js"></script>'],
    '/msw-app.js': ['text/javascript', mswApp.outputFiles[0]?.contents ?? ''],
    '/mockServiceWorker.js': ['text/javascript', worker],
  };
  const server = createServer((request, response) => {
    const [type, body] = routes[request.url ?? ''] ?? ['text/plain', 'not found'];
    response.writeHead(routes[request.url ?? ''] ? 200 : 404, { 'Content-Type': type });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  page = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}, 60_000);

afterAll(async () => {
  await page?.close();
  await mock?.close();
});

describe.skipIf(!haveChromium)(
  `the SDK in headless Chromium against ota-mock (skipped without ${executablePath})`,
  () => {
    it('signs a check and runs a whole upgrade from a page on another origin', async () => {
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        await tab.goto(page.url);
        await tab.waitForFunction(() => 'result' in window, undefined, { timeout: 30_000 });
        const result = (await tab.evaluate(() => (window as unknown as { result: unknown }).result)) as {
          check?: { errno: number; data?: { token: string; md5: string } };
          upgrade?: { outcome: string; reported: number[] };
          md5?: string;
          userAgent?: string;
          error?: string;
        };
        expect(result.error).toBeUndefined();
        expect(result.userAgent).toContain('HeadlessChrome');
        expect(result.check?.errno).toBe(0);
        expect(result.upgrade?.outcome).toBe('upgraded');
        expect(result.upgrade?.reported.slice(-2)).toEqual([101, 201]);
        expect(result.md5).toBe(result.check?.data?.md5);
        // The platform saw a browser: signed requests from the page's origin, ranged downloads included.
        const entries = platform.journal.query({ devId: demo.devId }).entries;
        expect(entries.every((e) => e.request.headers.origin === new URL(page.url).origin)).toBe(true);
        expect(entries.filter((e) => e.operation === 'downloadPackage').length).toBeGreaterThan(1);
        expect(entries.filter((e) => e.auth === 'refused')).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 60_000);
  },
);

describe.skipIf(!haveChromium)(
  `the mock platform in headless Chromium behind MSW (skipped without ${executablePath})`,
  () => {
    it("answers a whole upgrade from the page's own service worker", async () => {
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        await tab.goto(`${page.url}msw`);
        await tab.waitForFunction(() => 'result' in window, undefined, { timeout: 30_000 });
        const result = (await tab.evaluate(() => (window as unknown as { result: unknown }).result)) as {
          upgrade?: { outcome: string };
          md5?: string;
          expected?: string;
          journal?: string[];
          error?: string;
        };
        expect(result.error).toBeUndefined();
        expect(result.upgrade?.outcome).toBe('upgraded');
        expect(result.md5).toBe(result.expected);
        expect(result.journal).toEqual(
          expect.arrayContaining(['checkTask', 'checkToken', 'downloadPackage', 'reportProgress']),
        );
      } finally {
        await browser.close();
      }
    }, 60_000);
  },
);
