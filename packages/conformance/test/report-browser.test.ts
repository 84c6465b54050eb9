import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executablePath, haveChromium, launchChromium } from '../../mock-server/test/chromium.ts';
import { agentDevice, htmlReport, runConformance } from '../src/index.ts';

// The HTML report as people read it: opened in a real Chromium (not parsed as text), at a laptop's width.

let browser: Browser;
let html = '';
beforeAll(async () => {
  if (!haveChromium) return;
  // A mutant that installs whatever it got: RNG-006 (a corrupted fragment) fails, its neighbours pass.
  const result = await runConformance({ device: agentDevice({ quirks: ['skip-md5'] }), cases: ['RNG-006', 'RNG-001'] });
  html = htmlReport(result);
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

describe.skipIf(!haveChromium)(`the HTML report in headless Chromium (skipped without ${executablePath})`, () => {
  it('fits the window: long requests and answers wrap instead of scrolling sideways', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.setContent(html);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  });

  it('opens the failing case with its transcript, the faulted request highlighted, and its timeline drawn', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.setContent(html);
    const failing = page.locator('section#RNG-006');
    expect(await failing.locator('details:has(> summary:text-matches("HTTP transcript"))').getAttribute('open')).toBe(
      '',
    );
    const faulted = failing.locator('tr.faulted').first();
    expect(await faulted.isVisible()).toBe(true);
    expect(await faulted.evaluate((row) => getComputedStyle(row).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    const box = await failing.locator('svg.timeline').boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(await failing.locator('svg.timeline rect').count()).toBeGreaterThan(1);
    // The passing case keeps its transcript folded.
    expect(await page.locator('section#RNG-001 details').last().getAttribute('open')).toBeNull();
  });

  it("follows a rule's reference to the protocol section quoted in the same file", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.setContent(html);
    await page.locator('section#RNG-006 h2 a[href^="#protocol-"]').first().click();
    const target = await page.evaluate(() => {
      const section = document.getElementById(location.hash.slice(1));
      return { hash: location.hash, top: section?.getBoundingClientRect().top, text: section?.textContent ?? '' };
    });
    expect(target.hash).toMatch(/^#protocol-2\.\d+$/);
    expect(Math.abs(target.top ?? 999)).toBeLessThan(5);
    expect(target.text).toMatch(/\[C\]/);
  });
});
