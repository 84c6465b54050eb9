import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createManagementClient } from '@onenet-ota/sdk';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executablePath, flags, haveChromium } from './chromium.ts';
import { type ConsoleFixture, consoleFixture } from './console-fixture.ts';

// A web page of another site, opened in the tester's browser while the platform runs on loopback, tries what a
// page can do without asking (issue 28): a plain-text fetch to reset the platform, one that creates a product, a
// form that pauses the task. Chromium resolves evil.example and rebind.example to 127.0.0.1, so every request stays
// on this machine while the page's origin is a foreign site's.

let f: ConsoleFixture;
let browser: Browser;
let evil: Server;
let evilPort: number;
let mockPort: number;
const admin = () => createManagementClient({ baseUrl: f.server.url });

// The attack, as the page's own script: each attempt a request a browser sends cross-site without a preflight.
const attackPage = (mock: string, productId: string, taskId: string) => `<!doctype html>
<form id="pause" method="post" action="${mock}/api/v1/products/${productId}/tasks/${taskId}/pause"></form>
<script>
  const sent = [];
  const plain = (path, body) => fetch('${mock}' + path, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body })
    .then(() => sent.push(path), (e) => sent.push(path + ' ' + e));
  Promise.all([
    plain('/__mock/reset', '{"seed":"none"}'),
    plain('/api/v1/products', '{"name":"pwned","manuf":"101","model":"10101"}'),
    fetch('${mock}/__mock/reset', { method: 'POST', mode: 'no-cors' }).then(() => sent.push('bodiless reset')),
  ]).then(() => { window.sent = sent; document.getElementById('pause').submit(); });
</script>`;

beforeAll(async () => {
  if (!haveChromium) return;
  f = await consoleFixture(['bench-01']);
  mockPort = Number(new URL(f.server.url).port);
  await admin().POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: f.productId, taskId: f.taskId, action: 'start' } },
  });
  evil = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(attackPage(`http://127.0.0.1:${mockPort}`, f.productId, f.taskId));
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilPort = (evil.address() as AddressInfo).port;
  browser = await chromium.launch({
    executablePath,
    args: [...flags, '--host-resolver-rules=MAP evil.example 127.0.0.1, MAP rebind.example 127.0.0.1'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await f?.server.close();
});

describe.skipIf(!haveChromium)(`a hostile web page in headless Chromium (skipped without ${executablePath})`, () => {
  it('changes nothing: no reset, no product, no pause; the console on its own origin still pauses', async () => {
    const before = (await admin().GET('/api/v1/products')).data?.items.map((p) => p.name);
    const page = await browser.newPage();
    // The page, at http://evil.example, posts to the platform at 127.0.0.1, then its form navigates the tab to the
    // pause answer.
    const navigated = page.waitForURL(/\/pause$/, { timeout: 15_000 });
    await page.goto(`http://evil.example:${evilPort}/`);
    await navigated;
    expect(await page.textContent('body')).toContain('urn:onenet-ota:problem:forbidden');
    expect((await admin().GET('/api/v1/products')).data?.items.map((p) => p.name)).toEqual(before);
    expect(f.platform.state.tasks.get(f.taskId)?.state).toBe('running');
    expect(f.platform.state.devices.size).toBe(1);

    // The tester's console, on the platform's own origin, still changes it.
    const tab = await browser.newPage();
    await tab.goto(`${f.server.url}/__mock/ui`);
    await tab.click(`button[data-task="${f.taskId}"][data-action="pause"]`);
    await expect.poll(() => f.platform.state.tasks.get(f.taskId)?.state, { timeout: 10_000 }).toBe('paused');
  }, 60_000);

  it('reads nothing through a rebound name: the page gets 403 and no access key', async () => {
    // What a page whose own domain now resolves to 127.0.0.1 can do: ask as its own origin.
    const page = await browser.newPage();
    const answer = await page.goto(`http://rebind.example:${mockPort}/__mock/ui`);
    expect(answer?.status()).toBe(403);
    const read = await page.evaluate(async () => {
      const response = await fetch('/api/v1/products?include=keys');
      return { status: response.status, text: await response.text() };
    });
    expect(read.status).toBe(403);
    expect(read.text).toContain('Host rebind.example is not a name of this platform');
    expect(read.text).not.toMatch(/accessKey/);
  }, 30_000);
});
