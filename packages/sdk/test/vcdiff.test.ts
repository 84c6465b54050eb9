import { describe, expect, it } from 'vitest';
import { memorySource, PatchError, restoreVcdiff } from '../src/index.ts';
import { createVcdiff } from '../src/vcdiff-encoder.ts';
import { firmwarePair } from './firmware-pairs.ts';

async function restore(base: Uint8Array, patch: Uint8Array, chunk = patch.length): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < patch.length; i += chunk) pieces.push(patch.subarray(i, i + chunk));
  const out: Uint8Array[] = [];
  for await (const window of restoreVcdiff(memorySource(base), pieces)) out.push(window);
  return Buffer.concat(out);
}

describe('VCDIFF', () => {
  it.each(['small-edit', 'relinked', 'rewrite'] as const)(
    'round-trips a %s firmware pair, and the patch is smaller than the image',
    async (kind) => {
      const { base, target } = firmwarePair(kind, 300_000);
      const patch = createVcdiff(base, target, { windowSize: 64 * 1024 });
      expect(Buffer.from(await restore(base, patch)).equals(Buffer.from(target))).toBe(true);
      expect(patch.length).toBeLessThan(target.length);
    },
  );

  it('restores from a patch that arrives in 7-byte chunks', async () => {
    const { base, target } = firmwarePair('small-edit', 100_000);
    const patch = createVcdiff(base, target, { windowSize: 16 * 1024 });
    expect(Buffer.from(await restore(base, patch, 7)).equals(Buffer.from(target))).toBe(true);
  });

  it('encodes runs of one byte (erased flash) as RUN, and handles an empty target', async () => {
    const base = new Uint8Array(1000).fill(1);
    const target = new Uint8Array(50_000).fill(0xff);
    const patch = createVcdiff(base, target);
    expect(patch.length).toBeLessThan(40);
    expect(Buffer.from(await restore(base, patch)).equals(Buffer.from(target))).toBe(true);
    expect((await restore(base, createVcdiff(base, new Uint8Array(0)))).length).toBe(0);
  });

  it('refuses the wrong base image through the window checksum', async () => {
    const { base, target } = firmwarePair('small-edit', 100_000);
    const patch = createVcdiff(base, target);
    const other = base.slice();
    other[50_000] = (other[50_000] as number) ^ 1;
    await expect(restore(other, patch)).rejects.toThrow(PatchError);
    await expect(restore(base.subarray(0, 10), patch)).rejects.toThrow(/wrong base image/);
  });

  it('refuses what is not a plain VCDIFF patch, saying why', async () => {
    await expect(restore(new Uint8Array(10), new Uint8Array([1, 2, 3, 4, 5]))).rejects.toThrow(/bad magic/);
    await expect(restore(new Uint8Array(10), new Uint8Array([0xd6, 0xc3, 0xc4, 0, 1, 1]))).rejects.toThrow(
      /DJW secondary compression; make it with xdelta3 -S lzma or -S none/,
    );
    await expect(restore(new Uint8Array(10), new Uint8Array([0xd6, 0xc3, 0xc4, 0, 1, 16]))).rejects.toThrow(/FGK/);
    const { base, target } = firmwarePair('small-edit', 10_000);
    await expect(restore(base, createVcdiff(base, target).subarray(0, 40))).rejects.toThrow(/ends early/);
  });
});
