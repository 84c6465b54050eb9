import { readVarint } from '../src/diff/varint.ts';

/** One window of a patch as this kit writes it (VCD_SOURCE, Adler-32): its size and its three sections. */
export interface PatchWindow {
  targetLength: number;
  /** Data, instructions, addresses: where each starts in the patch, its length there, and whether it is compressed. */
  sections: { start: number; length: number; compressed: boolean }[];
}

/**
 * The windows of a VCDIFF patch, walked by their headers (for tests and benches that look inside one): what the
 * header indicator, the three sizes before the target length, and the Adler-32 after the lengths take.
 */
export function patchWindows(patch: Uint8Array): PatchWindow[] {
  let p = patch[4] === 1 ? 6 : 5; // a secondary compressor's id follows VCD_DECOMPRESS
  const varint = () => {
    const [value, next] = readVarint(patch, p);
    p = next;
    return value;
  };
  const windows: PatchWindow[] = [];
  while (p < patch.length) {
    p++; // window indicator
    varint(); // source segment length
    varint(); // source segment position
    varint(); // delta length
    const targetLength = varint();
    const compressed = patch[p++] as number;
    const lengths = [varint(), varint(), varint()];
    p += 4; // Adler-32
    const sections = lengths.map((length, kind) => {
      const section = { start: p, length, compressed: (compressed & (1 << kind)) !== 0 };
      p += length;
      return section;
    });
    windows.push({ targetLength, sections });
  }
  return windows;
}

/** The size a section decodes to: a compressed one says it first, a plain one is its length. */
export function decodedSize(patch: Uint8Array, section: PatchWindow['sections'][number]): number {
  return section.compressed ? readVarint(patch, section.start)[0] : section.length;
}
