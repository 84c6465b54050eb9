import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputTail } from '../src/drivers/output-tail.ts';
import { commandDevice, runConformance } from '../src/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-conformance-drivers-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const otaDevice = join(
  dirname(createRequire(import.meta.url).resolve('@onenet-ota/sdk/package.json')),
  'bin/ota-device.ts',
);
// Gone, or a zombie waiting for whoever inherited it to reap it: either way it runs no more.
const running = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

describe('a device command', () => {
  it('loses power as a board does: the power cut kills everything the command started', async () => {
    // A wrapper that leaves a child of its own running, then runs the device: only a kill of the whole process
    // group stops that child, as it stops the device.
    const pids = join(dir, 'pids');
    const command = `sleep 300 & echo $! >> "${pids}"; "${process.execPath}" "${otaDevice}"`;
    const result = await runConformance({ device: commandDevice(command), cases: ['RNG-003'] });
    expect(result.cases.find((c) => c.id === 'RNG-003')?.verdict).toBe('pass');
    const started = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    expect(started).toHaveLength(2); // the first start, killed mid-download, and the start after the power cut
    expect(started.filter(running)).toEqual([]);
  }, 30_000);
});

describe('device output', () => {
  it('keeps the last 64 KiB of what a device prints and says how much came before', () => {
    const tail = new OutputTail();
    for (let i = 0; i < 200; i++) tail.add(Buffer.from(`${String(i).padStart(1023, '.')}\n`));
    expect(tail.bytes).toBe(200 * 1024);
    const text = tail.text();
    expect(text.startsWith(`[… ${136 * 1024} earlier bytes not kept]\n`)).toBe(true);
    expect(text.endsWith(`${'199'.padStart(1023, '.')}\n`)).toBe(true);
    expect(text.length).toBeLessThan(64 * 1024 + 64);
  });
});
