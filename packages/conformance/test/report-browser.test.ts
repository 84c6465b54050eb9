import { execFileSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executablePath, haveChromium, launchChromium } from '../../mock-server/test/chromium.ts';
import { agentDevice, htmlReport, runConformance } from '../src/index.ts';

// The HTML report as people read it: opened in a real Chromium (not parsed as text), at a laptop's width.

const haveCjkFont = (() => {
  try {
    return execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
})();

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
  // fonts-noto-cjk (.ci/run installs it) is what renders them here; without a CJK font the test says so.
  it.skipIf(!haveCjkFont)('renders the Chinese quotes of the docs in a CJK font, not as boxes', async () => {
    const page = await browser.newPage();
    await page.setContent(html);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'section#RNG-001 p' });
    expect(await page.locator('section#RNG-001 p').first().textContent()).toContain(
      '每次获取分片包的最小范围限制为2个字节',
    );
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    expect(fonts.filter((f) => /CJK|Han|PingFang|YaHei/.test(f.familyName) && f.glyphCount > 0)).not.toEqual([]);
    // And the report names such fonts itself, for a machine whose default font has no CJK glyphs.
    expect(html).toMatch(/body\{font:[^}]*"Noto Sans CJK SC"/);
  });

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
