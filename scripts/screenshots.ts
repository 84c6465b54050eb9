// Writes the screenshots the docs pages show: docs/images/console.png (the web console during a rollout: one device upgraded,
// one failed by a fault put on it from the console, one mid-download), docs/images/report.png (the conformance
// report of a mutant that skips the md5 check) and docs/images/fleet.png (ota-fleet's report of 2 000 city
// devices). Needs Debian's chromium. `pnpm run screenshots`.
import { agentDevice, htmlReport, runConformance } from '../packages/conformance/src/index.ts';
import { fleetReport, runFleet } from '../packages/mock-server/src/node.ts';
import { launchChromium } from '../packages/mock-server/test/chromium.ts';
import { consoleFixture } from '../packages/mock-server/test/console-fixture.ts';

const out = (name: string) => new URL(`../docs/images/${name}`, import.meta.url).pathname;
const browser = await launchChromium();
try {
  const f = await consoleFixture(['meter-0001', 'meter-0002', 'meter-0003']);
  const [upgraded, faulted, slow] = f.devIds as [number, number, number];
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`${f.server.url}/__mock/ui`);
  await page.waitForSelector('#live[data-live="true"]');
  await page.click(`button[data-task="${f.taskId}"][data-action="start"]`);
  await f.upgrade(upgraded);
  const row = page.locator(`tr[data-dev="${faulted}"]`);
  await row.locator('[data-fault-choice]').selectOption('corrupt byte 100');
  await row.locator(`button[data-fault="${faulted}"]`).click();
  await f.upgrade(faulted);
  // The third device stalls in its seventh fragment: the screenshot catches it mid-download.
  await f.platform.faults.add({
    match: { devId: slow, operation: 'downloadPackage', nth: 7 },
    action: { kind: 'stall', afterBytes: 1024, ms: 60_000 },
  });
  void f.upgrade(slow);
  await page.waitForFunction(
    (devId) => Number(document.querySelector(`tr[data-dev="${devId}"] [data-progress]`)?.textContent) >= 37,
    slow,
  );
  await page.waitForTimeout(1500);
  await page.screenshot({ path: out('console.png') });
  await f.server.close();

  const result = await runConformance({
    device: agentDevice({ quirks: ['skip-md5'] }),
    cases: ['TOK-001', 'RNG-001', 'RNG-002', 'RNG-006'],
  });
  const report = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  await report.setContent(htmlReport(result));
  await report.locator('section#RNG-006').scrollIntoViewIfNeeded();
  await report.evaluate(() => document.getElementById('RNG-006')?.scrollIntoView());
  await report.screenshot({ path: out('report.png') });

  const fleet = await runFleet({ preset: 'city', devices: 2000, seed: 'readme' });
  const plots = await browser.newPage({ viewport: { width: 900, height: 820 } });
  await plots.setContent(fleetReport(fleet));
  await plots.screenshot({ path: out('fleet.png') });
} finally {
  await browser.close();
}
