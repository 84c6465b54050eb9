import { createManagementClient, MemoryStore, OtaAgent } from '@onenet-ota/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../src/index.ts';
import { type RunningServer, startServer } from '../src/node.ts';
import { executablePath, haveChromium, launchChromium } from './chromium.ts';

// The web console in a real browser, driven as a tester would: a task created through the management API waits
// for a manual start; the tester starts it from the console, watches a device upgrade live, puts a fault on
// another device's next download from the console, and sees that device fail.

let platform: Platform;
let server: RunningServer;
let browser: Browser;
let tab: Page;
const manuf = '101';
const model = '10101';
let productId = '';
let taskId = '';
let accessKey = '';
const devIds: number[] = [];

beforeAll(async () => {
  if (!haveChromium) return;
  platform = createPlatform({ seed: 'none' });
  server = await startServer({ platform, port: 0 });
  const admin = createManagementClient({ baseUrl: server.url });
  // The answer to a create carries the new product's access key.
  const product = await admin.POST('/api/v1/products', { body: { name: 'Meter', manuf, model } });
  productId = product.data?.id ?? '';
  accessKey = product.data?.accessKey ?? '';
  for (const name of ['watched', 'faulted']) {
    const { data } = await admin.POST('/api/v1/products/{productId}/devices', {
      params: { path: { productId } },
      body: { name, sVersion: 'V1.0' },
    });
    devIds.push(data?.devId ?? 0);
  }
  const upload = await fetch(
    `${server.url}/api/v1/products/${productId}/packages?name=app&module=sota&targetVersion=V1.1&fileName=app.bin`,
    {
      method: 'POST',
      body: new Uint8Array(64 * 1024).fill(3),
      headers: { 'Content-Type': 'application/octet-stream' },
    },
  );
  const pkg = (await upload.json()) as { id: string };
  const task = await admin.POST('/api/v1/products/{productId}/tasks', {
    params: { path: { productId } },
    body: {
      name: 'app 1.1',
      packageId: pkg.id,
      targets: { devIds },
      strategy: { start: { mode: 'manual' }, retry: { mode: 'none' } },
    } as never,
  });
  taskId = task.data?.id ?? '';
  if (!taskId) throw new Error(`task not created: ${JSON.stringify(task.error)}`);
  browser = await launchChromium();
  tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await tab.goto(`${server.url}/__mock/ui`);
  await tab.waitForSelector('#live[data-live="true"]', { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The reference agent as one of the devices, over HTTP; fragments are slowed so the page can watch them. */
function upgrade(devId: number, delayMs: number) {
  return new OtaAgent({
    client: {
      baseUrl: server.url,
      productId,
      accessKey,
      fetch: async (request) => {
        if (new URL(request.url).pathname.match(/^\/ota\/south\/download\/[^/]+$/))
          await new Promise((resolve) => setTimeout(resolve, delayMs));
        return fetch(request);
      },
    },
    devId,
    type: 2,
    manuf,
    model,
    version: 'V1.0',
    store: new MemoryStore(),
    sleep: async () => {},
    install: async (image) => {
      for await (const _ of image);
    },
  }).run();
}

const cell = (devId: number, field: string) => tab.locator(`tr[data-dev="${devId}"] [${field}]`);

describe.skipIf(!haveChromium)(`the web console in headless Chromium (skipped without ${executablePath})`, () => {
  it('starts a manual task from the page', async () => {
    const state = tab.locator(`tr[data-task-row="${taskId}"] [data-task-state]`);
    await expect.poll(() => state.textContent()).toBe('not_started');
    await tab.click(`button[data-task="${taskId}"][data-action="start"]`);
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('running');
    expect(platform.state.tasks.get(taskId)?.state).toBe('running');
  });

  it("shows a device's progress moving live while the reference agent upgrades it, up to 100 % and succeeded", async () => {
    const watched = devIds[0] as number;
    // Every value the progress cell shows, as the page renders it.
    await tab.evaluate((devId) => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const text = document.querySelector(`tr[data-dev="${devId}"] [data-progress]`)?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }, watched);
    const result = await upgrade(watched, 60);
    expect(result.outcome).toBe('upgraded');
    await expect.poll(() => cell(watched, 'data-state').textContent(), { timeout: 10_000 }).toBe('succeeded');
    expect(await cell(watched, 'data-progress').textContent()).toBe('100');
    const seen = (await tab.evaluate(() => (window as unknown as { seen: string[] }).seen)).map(Number);
    expect(seen.filter((p) => p > 0 && p < 100).length, `progress seen: ${seen.join(', ')}`).toBeGreaterThan(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it("puts a fault on a device's next download from the page; the device fails and the journal marks it", async () => {
    const faulted = devIds[1] as number;
    const row = tab.locator(`tr[data-dev="${faulted}"]`);
    await row.locator('[data-fault-choice]').selectOption('corrupt byte 100');
    await row.locator(`button[data-fault="${faulted}"]`).click();
    await expect.poll(() => tab.locator('#message').textContent()).toContain(`on device ${faulted}'s next download`);
    expect(platform.faults.list()).toEqual([
      expect.objectContaining({ match: { devId: faulted, operation: 'downloadPackage' }, times: 1 }),
    ]);
    const result = await upgrade(faulted, 0);
    expect(result.reported.at(-1)).toBe(205);
    await expect.poll(() => cell(faulted, 'data-state').textContent(), { timeout: 10_000 }).toBe('failed');
    const marked = tab.locator('#journal tr.row', { hasText: 'fault' });
    await expect.poll(() => marked.count()).toBeGreaterThan(0);
    // A row opens to its transcript.
    await marked.first().click();
    await expect.poll(() => tab.locator('#journal tr.transcript pre').first().textContent()).toContain('"range"');
  });

  it('advances the virtual clock from the page', async () => {
    const before = platform.clock.now();
    await tab.click('button[data-advance="3600000"]');
    await expect.poll(() => platform.clock.now() - before).toBe(3_600_000);
    await expect.poll(() => tab.locator('#clock').textContent()).toContain(new Date(before + 3_600_000).toISOString());
  });
});
