import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createPlatform } from '../src/index.ts';
import { runFleet, startServer } from '../src/node.ts';

const run = promisify(execFile);
const bin = new URL('../bin/ota-fleet.ts', import.meta.url).pathname;
const without = <T extends { wallMs: number }>({ wallMs: _, ...rest }: T) => rest;

describe('runFleet', () => {
  it('rolls a package out to a seeded fleet; the same seed gives the same outcome, bit for bit', async () => {
    const first = await runFleet({ devices: 120, seed: 'same' });
    const again = await runFleet({ devices: 120, seed: 'same' });
    expect(without(again)).toEqual(without(first));
    const other = await runFleet({ devices: 120, seed: 'other' });
    expect(without(other)).not.toEqual(without(first));
    // Every device ends somewhere, and the counts add up.
    expect(Object.values(first.byState).reduce((a, b) => a + b, 0)).toBe(120);
    expect(first.byState.succeeded).toBeGreaterThan(30);
    expect(first.lastCodes['201']).toBe(first.byState.succeeded);
    // The city's flat batteries and weak signals meet thresholds of 20 % and 10: the agent reports 105 and 106.
    expect((first.lastCodes['105'] ?? 0) + (first.lastCodes['106'] ?? 0)).toBeGreaterThan(0);
    expect(first.upgradeMs?.p50).toBeGreaterThan(0);
    // Resets and reboots make devices fetch some bytes twice, never much more.
    expect(first.bytesPerUpgrade).toBeGreaterThanOrEqual(1);
    expect(first.bytesPerUpgrade).toBeLessThan(1.5);
    expect(first.timeline.length).toBeGreaterThan(2);
    expect(first.timeline[0]?.byState.pending).toBe(120);
  }, 60_000);

  it('takes the strategy as a backend gives it: no thresholds, no 105 or 106; a cancel stops the rest', async () => {
    const open = await runFleet({ devices: 60, seed: 's', strategy: { power: 0, signal: 0 } });
    expect(open.lastCodes['105']).toBeUndefined();
    expect(open.lastCodes['106']).toBeUndefined();
    const canceled = await runFleet({ devices: 60, seed: 's', cancelAtMs: 20 * 60_000 });
    expect(canceled.byState.canceled).toBeGreaterThan(0);
    expect(canceled.byState.succeeded).toBeLessThan(open.byState.succeeded);
  }, 60_000);

  it('starts a scheduled task at its time: nobody upgrades before it', async () => {
    const result = await runFleet({ preset: 'lab', devices: 20, seed: 'l', strategy: { startAfterMs: 2 * 3_600_000 } });
    expect(result.byState.succeeded).toBe(20);
    expect(result.platformMs).toBeGreaterThan(2 * 3_600_000);
    const early = result.timeline.filter((s) => s.atMs < 2 * 3_600_000);
    expect(early.every((s) => s.byState.succeeded === 0)).toBe(true);
  }, 60_000);
});

describe('runFleet against a running ota-mock over HTTP', () => {
  it('drives its management API and moves its virtual clock', async () => {
    const platform = createPlatform({ seed: 'none', clock: 'virtual' });
    const server = await startServer({ platform, port: 0 });
    try {
      const before = platform.clock.now();
      const result = await runFleet({ preset: 'lab', devices: 8, seed: 'http', baseUrl: server.url });
      expect(result.byState.succeeded).toBe(8);
      expect(platform.clock.now()).toBeGreaterThan(before);
      const downloads = platform.journal.query({ operation: 'downloadPackage' }).entries;
      expect(downloads.length).toBeGreaterThanOrEqual(8 * 64);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('ota-fleet', () => {
  it('prints the summary and writes fleet.json and fleet.html', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-fleet-'));
    try {
      const { stdout } = await run(process.execPath, [
        bin,
        ...['--preset', 'lab', '--devices', '30', '--report-dir', dir, '--progress', '0.05s'],
      ]);
      expect(stdout).toMatch(/^30 devices, seed ota-fleet, 262144 B package: succeeded 30$/m);
      // Not a terminal: progress comes as lines of their own, before the summary.
      expect(stdout).toMatch(/^platform \+.+ · \d+ MiB served\n(.|\n)*^30 devices/m);
      const json = JSON.parse(await readFile(join(dir, 'fleet.json'), 'utf8'));
      expect(json.byState.succeeded).toBe(30);
      const html = await readFile(join(dir, 'fleet.html'), 'utf8');
      expect(html).not.toMatch(/<(script|link)\b/);
      expect(html.match(/<svg /g)).toHaveLength(2);
      // Words, not JSON: the strategy as the console shows it, and the time axis named.
      expect(html).toContain('<p>Strategy: signal &#62; 10, battery &#62; 20 %, retry 3 × 300 s, manual start</p>');
      expect(html).toContain('platform time from the start');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it.each([
    [['--preset', 'town'], '--preset must be city or lab, got town'],
    [['--devices', '0'], '--devices must be an integer ≥ 1, got 0'],
    [['--pause-at', 'soon'], '--pause-at must be a duration like 90s, 30m, 2h or 1d, got soon'],
  ])('refuses %j in one line with exit 2', async (args, message) => {
    const failed = await run(process.execPath, [bin, ...args]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect('code' in failed && failed.code).toBe(2);
    expect('stderr' in failed && failed.stderr).toBe(`ota-fleet: ${message}\nTry ota-fleet --help.\n`);
  });
});
