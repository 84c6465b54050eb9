import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { md5Hex } from '@onenet-ota/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo, demoImage } from '../src/index.ts';
import { type Harness, otaDeviceBin, startHarness } from './harness.ts';

// The SDK's `ota-device` as a real process against the mock platform's real server.

let h: Harness;
let dir: string;
beforeEach(async () => {
  h = await startHarness({ seed: 'demo', clock: 'real' });
  dir = await mkdtemp(join(tmpdir(), 'ota-device-'));
});
afterEach(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

function device(extra: string[] = []): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [otaDeviceBin, '--version', demo.fromVersion, ...extra], {
    env: {
      ...process.env,
      OTA_BASE_URL: h.url,
      OTA_PRODUCT_ID: demo.productId,
      OTA_DEV_ID: String(demo.devId),
      OTA_ACCESS_KEY: demo.productKey,
      OTA_MANUF: demo.manuf,
      OTA_MODEL: demo.model,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c));
  child.stderr?.on('data', (c: Buffer) => (stderr += c));
  return { child, done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr }))) };
}

const ranges = () =>
  h.platform.journal.query({ operation: 'downloadPackage' }).entries.map((e) => e.request.headers.range);

describe('ota-device', () => {
  it('upgrades, writes the image, prints a one-line JSON summary and exits 0', async () => {
    const output = join(dir, 'installed.bin');
    const { code, stdout } = await device(['--output', output, '--fragment-size', '8192']).done;
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toMatchObject({
      outcome: 'upgraded',
      target: 'V2.0',
      bytesDownloaded: demo.packageSize,
    });
    expect(md5Hex(await readFile(output))).toBe(md5Hex(demoImage(demo.packageSize)));
    expect(ranges()).toHaveLength(8);
  }, 20_000);

  it('exits 0 with no-task when there is nothing to do, and 2 for a bad flag', async () => {
    const none = await device(['--type', '1']).done;
    expect([none.code, JSON.parse(none.stdout).outcome]).toEqual([0, 'no-task']);
    const bad = await device(['--fragment-size', 'lots']).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fragment-size must be a number');
  }, 20_000);

  it('resumes from its state directory after being killed mid-download', async () => {
    await h.admin.POST('/__mock/faults', {
      body: {
        match: { operation: 'downloadPackage' },
        action: { kind: 'throttle', bytesPerSecond: 16_384 },
        times: null,
      },
    });
    const first = device(['--state-dir', dir]);
    while (ranges().length < 4) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    await first.done;
    const before = ranges().length;
    await h.admin.DELETE('/__mock/faults');
    const second = await device(['--state-dir', dir]).done;
    expect(JSON.parse(second.stdout)).toMatchObject({ outcome: 'upgraded' });
    const resumedAt = Number(ranges()[before]?.match(/bytes=(\d+)-/)?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(3 * 4096);
    expect(resumedAt % 4096).toBe(0);
  }, 30_000);

  for (const [generation, downloadOp] of [
    ['fuse', 'fuseDownloadPackage'],
    ['studio', 'studioDownloadPackage'],
  ] as const) {
    it(`upgrades with --generation ${generation}: device-level token, product id and name in the path`, async () => {
      const output = join(dir, `${generation}.bin`);
      const { code, stdout, stderr } = await device([
        '--generation',
        generation,
        '--device-name',
        demo.deviceName,
        '--access-key',
        demo.deviceKey,
        '--output',
        output,
        '--fragment-size',
        '16384',
      ]).done;
      expect([code, stderr]).toEqual([0, '']);
      expect(JSON.parse(stdout)).toMatchObject({ outcome: 'upgraded', target: 'V2.0' });
      expect(md5Hex(await readFile(output))).toBe(md5Hex(demoImage(demo.packageSize)));
      const downloads = h.platform.journal.query({ operation: downloadOp }).entries;
      expect(downloads.map((e) => e.request.path)).toEqual(
        Array(4).fill(`/${generation === 'fuse' ? 'fuse-ota' : 'ota'}/${demo.productId}/${demo.deviceName}/1/download`),
      );
      expect(h.platform.journal.query({ operation: 'checkTask' }).entries).toEqual([]);
    }, 20_000);
  }

  it('upgrades on the new platform with a user-level token (--user-id and the account key)', async () => {
    const { uid, accessKey } = h.platform.settings.account;
    const { code, stdout, stderr } = await device([
      '--generation',
      'fuse',
      '--device-name',
      demo.deviceName,
      '--user-id',
      String(uid),
      '--access-key',
      accessKey,
    ]).done;
    expect([code, stderr]).toEqual([0, '']);
    expect(JSON.parse(stdout)).toMatchObject({ outcome: 'upgraded', target: 'V2.0' });
    const checks = h.platform.journal.query({ operation: 'fuseCheckTask' }).entries;
    expect(checks[0]?.request.headers.authorization).toContain(`res=userid%2F${uid}&`);
    const legacy = await device(['--user-id', String(uid)]).done;
    expect([legacy.code, legacy.stderr.split('\n')[0]]).toEqual([
      2,
      'ota-device: --user-id takes a OneNET user id (a positive integer), and only with --generation fuse',
    ]);
  }, 20_000);

  it('says in one line what a named generation is missing', async () => {
    const bad = await device(['--generation', 'fuse']).done;
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([
      2,
      'ota-device: --generation fuse names the device: --device-name (or OTA_DEVICE_NAME) is required',
    ]);
    const wrong = await device(['--generation', 'mqtt']).done;
    expect(wrong.stderr.split('\n')[0]).toBe('ota-device: --generation must be legacy, studio or fuse, got mqtt');
  }, 20_000);
});
