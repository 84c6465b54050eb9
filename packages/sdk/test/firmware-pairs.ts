/**
 * Realistic firmware pairs for diff tests and the bench: code-like bytes (instructions with 32-bit pointers and
 * erased-flash padding), then a small edit, a relink that shifts every pointer, or a large rewrite.
 */
export type PairKind = 'small-edit' | 'relinked' | 'rewrite';

export function firmwarePair(kind: PairKind, size: number, seed = 7): { base: Uint8Array; target: Uint8Array } {
  const random = xorshift(seed);
  const base = new Uint8Array(size);
  const view = new DataView(base.buffer);
  for (let p = 0; p + 4 <= size; p += 4) {
    // Every 16th word a pointer into the image, padding blocks of 0xff now and then, opcodes otherwise.
    const word = p % 64 === 0 ? 0x0800_0000 + (random() % size) : p % 8192 < 256 ? 0xffff_ffff : random();
    view.setUint32(p, word >>> 0, true);
  }
  const target = base.slice();
  const tview = new DataView(target.buffer);
  if (kind === 'small-edit') {
    for (let i = 0; i < 32; i++) target[random() % size] = random() & 0xff;
  } else if (kind === 'relinked') {
    // A function grew by 64 bytes: everything after it moves, and every pointer into the moved part changes.
    const at = Math.floor(size / 3);
    target.set(base.subarray(at, size - 64), at + 64);
    for (let p = 0; p + 4 <= size; p += 64) {
      const word = tview.getUint32(p, true);
      if (word >= 0x0800_0000 + at && word < 0x0800_0000 + size) tview.setUint32(p, word + 64, true);
    }
  } else {
    for (let p = Math.floor(size / 4); p < Math.floor((size * 3) / 4); p++) target[p] = random() & 0xff;
  }
  return { base, target };
}

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}
