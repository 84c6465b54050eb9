import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lzma2 } from '@napi-rs/lzma';
import { afterAll, describe, expect, it } from 'vitest';
import { memorySource, restoreVcdiff } from '../src/index.ts';
import { createVcdiff } from '../src/vcdiff-encoder.ts';
import { firmwarePair } from './firmware-pairs.ts';

// Interoperability with Debian's xdelta3 (apt-get install xdelta3), which .ci/run installs. Outside CI a machine
// without it skips these, saying so; in CI they must run.
const hasXdelta3 = (() => {
  try {
    execFileSync('xdelta3', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const dir = mkdtempSync(join(tmpdir(), 'vcdiff-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { base, target } = firmwarePair('relinked', 2 * 1024 * 1024);
writeFileSync(join(dir, 'base'), base);
writeFileSync(join(dir, 'target'), target);

describe.skipIf(!hasXdelta3 && !process.env.CI)(
  'VCDIFF and Debian xdelta3 (skipped without xdelta3 outside CI)',
  () => {
    it('xdelta3 -d applies a patch this kit made', () => {
      writeFileSync(join(dir, 'ours.vcdiff'), createVcdiff(base, target));
      execFileSync('xdelta3', ['-d', '-f', '-s', join(dir, 'base'), join(dir, 'ours.vcdiff'), join(dir, 'restored')]);
      expect(readFileSync(join(dir, 'restored')).equals(Buffer.from(target))).toBe(true);
    });

    it('the SDK applies a patch xdelta3 -e made (-S none: no secondary compression)', async () => {
      execFileSync('xdelta3', [
        '-e',
        '-f',
        '-S',
        'none',
        '-s',
        join(dir, 'base'),
        join(dir, 'target'),
        join(dir, 'theirs.vcdiff'),
      ]);
      const out: Uint8Array[] = [];
      for await (const window of restoreVcdiff(memorySource(base), [readFileSync(join(dir, 'theirs.vcdiff'))]))
        out.push(window);
      expect(Buffer.concat(out).equals(Buffer.from(target))).toBe(true);
    });

    it('xdelta3 -d applies a patch this kit made with LZMA secondary compression, in 1 MiB and 64 KiB windows', () => {
      for (const windowSize of [1 << 20, 64 * 1024]) {
        const patch = createVcdiff(base, target, { windowSize, lzma2: (bytes) => lzma2.compressSync(bytes) });
        writeFileSync(join(dir, 'ours-lzma.vcdiff'), patch);
        execFileSync('xdelta3', [
          '-d',
          '-f',
          '-s',
          join(dir, 'base'),
          join(dir, 'ours-lzma.vcdiff'),
          join(dir, 'restored'),
        ]);
        expect(readFileSync(join(dir, 'restored')).equals(Buffer.from(target))).toBe(true);
      }
    }, 30_000);

    it("the SDK applies xdelta3's default patch (LZMA secondary, one stream through every window)", async () => {
      // -W 65536: 32 windows, so the decoder carries the LZMA state from window to window as xdelta3 does.
      for (const args of [['-9'], ['-9', '-W', '65536']]) {
        const file = join(dir, 'theirs-lzma.vcdiff');
        execFileSync('xdelta3', ['-e', '-f', ...args, '-s', join(dir, 'base'), join(dir, 'target'), file]);
        const patch = readFileSync(file);
        expect([...patch.subarray(4, 6)]).toEqual([0x05, 2]); // VCD_DECOMPRESS | VCD_APPHEADER, LZMA
        const out: Uint8Array[] = [];
        for await (const window of restoreVcdiff(memorySource(base), [patch])) out.push(window);
        expect(Buffer.concat(out).equals(Buffer.from(target))).toBe(true);
      }
    });

    it('the SDK refuses xdelta3 -S djw by name', async () => {
      const file = join(dir, 'theirs-djw.vcdiff');
      execFileSync('xdelta3', ['-e', '-f', '-S', 'djw', '-s', join(dir, 'base'), join(dir, 'target'), file]);
      await expect(
        (async () => {
          for await (const _ of restoreVcdiff(memorySource(base), [readFileSync(file)]));
        })(),
      ).rejects.toThrow(/DJW secondary compression/);
    });
  },
);
