import { execFileSync } from 'node:child_process';
import { lzma2 } from '@napi-rs/lzma';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readVarint } from '../src/diff/varint.ts';
import { dictionarySizeOf } from '../src/diff/xz-format.ts';
import { XzSectionReader } from '../src/diff/xz-section-reader.ts';
import { memorySource, PatchError, restoreVcdiff } from '../src/index.ts';
import { createVcdiff } from '../src/vcdiff-encoder.ts';
import { firmwarePair } from './firmware-pairs.ts';
import { patchWindows } from './vcdiff-windows.ts';

// xdelta3's LZMA secondary compression, made with a real LZMA2 encoder (@napi-rs/lzma) and read by the SDK's own
// decoder. Interoperability with xdelta3 itself is in vcdiff-interop.test.ts.

const compress = (bytes: Uint8Array) => lzma2.compressSync(bytes);

async function restore(base: Uint8Array, patch: Uint8Array, chunk = patch.length): Promise<Buffer> {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < patch.length; i += chunk) pieces.push(patch.subarray(i, i + chunk));
  const out: Uint8Array[] = [];
  for await (const window of restoreVcdiff(memorySource(base), pieces)) out.push(window);
  return Buffer.concat(out);
}

/** The dictionary each .xz block of the patch declares, window by window. */
function declaredDictionaries(patch: Uint8Array): { window: number; dictionary: number }[] {
  return patchWindows(patch).flatMap(({ targetLength, sections }) =>
    sections
      .filter((section) => section.compressed)
      .map((section) => {
        let at = readVarint(patch, section.start)[1]; // after the decoded size
        if (patch[at] === 0xfd) at += 12; // the stream header, in the first compressed section of a kind
        return { window: targetLength, dictionary: dictionarySizeOf(patch[at + 4] as number) as number };
      }),
  );
}

describe('VCDIFF with LZMA secondary compression', () => {
  it.each([16 * 1024, 1 << 20])(
    'round-trips a relinked image in %i-byte windows, smaller than plain',
    async (size) => {
      const { base, target } = firmwarePair('relinked', 600_000);
      const plain = createVcdiff(base, target, { windowSize: size });
      const patch = createVcdiff(base, target, { windowSize: size, lzma2: compress });
      expect(patch.subarray(0, 6)).toEqual(Uint8Array.from([0xd6, 0xc3, 0xc4, 0, 1, 2])); // VCD_DECOMPRESS, LZMA
      expect((await restore(base, patch)).equals(Buffer.from(target))).toBe(true);
      expect((await restore(base, patch, 7)).equals(Buffer.from(target))).toBe(true);
      expect(patch.length).toBeLessThan(plain.length * 0.9);
    },
    30_000,
  );

  it('declares each block a dictionary no larger than its window needs: a device keeps one section of history', () => {
    const { base, target } = firmwarePair('relinked', 300_000);
    const blocks = declaredDictionaries(createVcdiff(base, target, { windowSize: 16 * 1024, lzma2: compress }));
    expect(blocks.length).toBeGreaterThan(20);
    for (const { window, dictionary } of blocks) expect(dictionary).toBeLessThanOrEqual(Math.max(4096, window * 1.5));
  });

  it('reads .xz streams as xz(1) writes them: each check type, several blocks, the index at the end', () => {
    const { target } = firmwarePair('rewrite', 200_000);
    for (const args of [
      ['--check=crc32'],
      ['--check=crc64'],
      ['--check=none'],
      ['--check=crc32', '--block-size=8192'],
    ]) {
      const stream = execFileSync('xz', ['-6', '--format=xz', ...args, '-c'], { input: target });
      expect(Buffer.from(new XzSectionReader().read(stream, target.length)).equals(Buffer.from(target))).toBe(true);
    }
  });

  it('refuses a section that decodes to another size than its window declares', () => {
    const raw = new Uint8Array(5000).fill(7);
    const stream = execFileSync('xz', ['--check=crc32', '-c'], { input: raw });
    expect(() => new XzSectionReader().read(stream, 4999)).toThrow(/decodes past the 4999 bytes/);
    expect(() => new XzSectionReader().read(stream, 5001)).toThrow(/decodes to 5000 of the 5001 bytes/);
  });

  it('does not take the size a section declares on trust: it grows with what decodes', () => {
    const stream = execFileSync('xz', ['--check=crc32', '-c'], { input: new Uint8Array(5000) });
    // 1 PiB, which no machine can allocate: taken at once it throws a RangeError (smaller, it eats a device's memory).
    expect(() => new XzSectionReader().read(stream, 2 ** 50)).toThrow(PatchError);
    expect(() => new XzSectionReader().read(stream, 2 ** 50)).toThrow(/decodes to 5000 of the 1125899906842624 bytes/);
  });

  it('refuses a block that declares a dictionary over 64 MiB before decoding anything', () => {
    const stream = execFileSync('xz', ['--check=crc32', '--lzma2=dict=128MiB', '-c'], { input: new Uint8Array(100) });
    expect(() => new XzSectionReader().read(stream, 100)).toThrow(
      /134217728-byte LZMA2 dictionary; .* at most 67108864/,
    );
  });

  it('a damaged LZMA patch fails with a PatchError, never another error, a hang or a wrong image', async () => {
    const { base, target } = firmwarePair('relinked', 60_000);
    const patch = createVcdiff(base, target, { windowSize: 16 * 1024, lzma2: compress });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(patch.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        async (flips) => {
          const damaged = patch.slice();
          for (const [at, mask] of flips) damaged[at] = (damaged[at] as number) ^ mask;
          try {
            const restored = await restore(base, damaged);
            // A flip the format cannot see (a length's unused bit) may restore; it must restore the right image.
            expect(restored.equals(Buffer.from(target))).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(PatchError);
          }
        },
      ),
      { numRuns: 300, seed: 33 },
    );
  });
});
