import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executablePath, haveChromium, launchChromium } from './chromium.ts';
import { type ConsoleFixture, consoleFixture } from './console-fixture.ts';

// The web console in a real browser, driven as a tester would: a task created through the management API waits
// for a manual start; the tester starts it from the console, watches a device upgrade live, puts a fault on
// another device's next download from the console, and sees that device fail.

let f: ConsoleFixture;
let browser: Browser;
let tab: Page;

beforeAll(async () => {
  if (!haveChromium) return;
  f = await consoleFixture(['watched', 'faulted', 'restarted']);
  browser = await launchChromium();
  tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await tab.goto(`${f.server.url}/__mock/ui`);
  await tab.waitForSelector('#live[data-live="true"]', { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await f?.server.close();
});

const cell = (devId: number, field: string) => tab.locator(`tr[data-dev="${devId}"] [${field}]`);

describe.skipIf(!haveChromium)(`the web console in headless Chromium (skipped without ${executablePath})`, () => {
  it('starts a manual task from the page', async () => {
    const state = tab.locator(`tr[data-task-row="${f.taskId}"] [data-task-state]`);
    await expect.poll(() => state.textContent()).toBe('not_started');
    // The strategy in a tester's words, not as JSON.
    expect(await tab.locator(`tr[data-task-row="${f.taskId}"]`).textContent()).toContain(
      'any signal, any battery, no retry, manual start',
    );
    // Only what the task's state takes.
    const offered = () => tab.locator(`tr[data-task-row="${f.taskId}"] button`).allTextContents();
    expect(await offered()).toEqual(['start']);
    await tab.click(`button[data-task="${f.taskId}"][data-action="start"]`);
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('running');
    await expect.poll(offered, { timeout: 10_000 }).toEqual(['pause', 'cancel']);
    expect(f.platform.state.tasks.get(f.taskId)?.state).toBe('running');
  });

  it("shows a device's progress moving live while the reference agent upgrades it, up to 100 % and succeeded", async () => {
    const watched = f.devIds[0] as number;
    // Every value the progress cell shows, as the page renders it.
    await tab.evaluate((devId) => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const text = document.querySelector(`tr[data-dev="${devId}"] [data-progress]`)?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }, watched);
    const result = await f.upgrade(watched, 60);
    expect(result.outcome).toBe('upgraded');
    await expect.poll(() => cell(watched, 'data-state').textContent(), { timeout: 10_000 }).toBe('succeeded');
    expect(await cell(watched, 'data-progress').textContent()).toBe('100');
    const seen = (await tab.evaluate(() => (window as unknown as { seen: string[] }).seen)).map(Number);
    expect(seen.filter((p) => p > 0 && p < 100).length, `progress seen: ${seen.join(', ')}`).toBeGreaterThan(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('starts a bar over when its device checks for a task again, not at the bytes of the download it left', async () => {
    const restarted = f.devIds[2] as number;
    const checked = await f.device.GET('/ota/south/check', { params: { query: f.checkQuery(restarted) } });
    const token = checked.data?.data?.token ?? '';
    expect(token).not.toBe('');
    await f.device.GET('/ota/south/download/{token}/check', {
      params: { path: { token }, query: { dev_id: restarted } },
    });
    // Half the 64 KiB package, and no step reported: the bar follows the bytes served.
    const half = await f.device.GET('/ota/south/download/{token}', {
      params: { path: { token }, header: { Range: 'bytes=0-32767' } },
      parseAs: 'arrayBuffer',
    });
    expect(half.response.status).toBe(206);
    await expect.poll(() => cell(restarted, 'data-progress').textContent(), { timeout: 10_000 }).toBe('50');
    // The device reboots and checks for a task: what it was served before belongs to a download it gave up.
    await f.device.GET('/ota/south/check', { params: { query: f.checkQuery(restarted) } });
    await expect.poll(() => cell(restarted, 'data-progress').textContent(), { timeout: 10_000 }).toBe('0');
  });

  it("puts a fault on a device's next download from the page; the device fails and the journal marks it", async () => {
    const faulted = f.devIds[1] as number;
    const row = tab.locator(`tr[data-dev="${faulted}"]`);
    await row.locator('[data-fault-choice]').selectOption('corrupt byte 100');
    // The table is drawn again whenever the platform changes; the choice survives it.
    const rendered = await row.elementHandle();
    await fetch(`${f.server.url}/api/v1/products/${f.productId}/groups`, {
      method: 'POST',
      body: JSON.stringify({ name: 'pilot' }),
      headers: { 'Content-Type': 'application/json' },
    });
    await expect.poll(() => rendered?.evaluate((node) => node.isConnected), { timeout: 5000 }).toBe(false);
    expect(await row.locator('[data-fault-choice]').inputValue()).toBe('corrupt byte 100');
    await row.locator(`button[data-fault="${faulted}"]`).click();
    await expect.poll(() => tab.locator('#message').textContent()).toContain(`on device ${faulted}'s next download`);
    expect(f.platform.faults.list()).toEqual([
      expect.objectContaining({ match: { devId: faulted, operation: 'downloadPackage' }, times: 1 }),
    ]);
    const result = await f.upgrade(faulted);
    expect(result.reported.at(-1)).toBe(205);
    await expect.poll(() => cell(faulted, 'data-state').textContent(), { timeout: 10_000 }).toBe('failed');
    const marked = tab.locator('#journal tr.row', { hasText: 'fault' });
    await expect.poll(() => marked.count()).toBeGreaterThan(0);
    // A row opens to its transcript.
    await marked.first().click();
    await expect.poll(() => tab.locator('#journal tr.transcript pre').first().textContent()).toContain('"range"');
  });

  it('marks in the journal what the platform served although OneNET documents otherwise', async () => {
    // A check without manuf and model, as OneNET's own C SDK sends it.
    const { manuf: _manuf, model: _model, ...query } = f.checkQuery(f.devIds[2] as number);
    await f.device.GET('/ota/south/check', { params: { query } });
    const marked = tab.locator('#journal tr.row .warn', { hasText: 'tolerated: manuf missing, model missing' });
    await expect.poll(() => marked.count()).toBeGreaterThan(0);
  });

  it('says in the journal what the platform made of a Range it did not serve as asked', async () => {
    const checked = await f.device.GET('/ota/south/check', { params: { query: f.checkQuery(f.devIds[2] as number) } });
    const token = (checked.data as { data?: { token?: string } } | undefined)?.data?.token as string;
    // A start past the end of the file: OneNET serves from byte 0 (protocol §2.4).
    const answer = await fetch(`${f.server.url}/ota/south/download/${token}`, { headers: { Range: '99999999-' } });
    expect(answer.status).toBe(206);
    await answer.arrayBuffer();
    const marked = tab.locator('#journal tr.row .warn', {
      hasText: 'past the end of the file: OneNET serves from byte 0',
    });
    await expect.poll(() => marked.count()).toBeGreaterThan(0);
  });

  it('advances the virtual clock from the page', async () => {
    const before = f.platform.clock.now();
    await tab.click('button[data-advance="3600000"]');
    await expect.poll(() => f.platform.clock.now() - before).toBe(3_600_000);
    await expect.poll(() => tab.locator('#clock').textContent()).toContain(new Date(before + 3_600_000).toISOString());
  });
});
