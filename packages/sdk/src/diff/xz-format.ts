// The parts of the .xz format (tukaani.org/xz/xz-file-format.txt) that carry xdelta3's LZMA secondary compression.

/** xdelta3's id for its LZMA secondary compressor in a VCDIFF header (1 is its DJW, 16 its FGK). */
export const lzmaSecondaryId = 2;

/** The 6 bytes every .xz stream starts with. */
export const xzMagic = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] as const;
/** The filter id of LZMA2, the only filter xdelta3's `lzma_easy_encoder` chain holds. */
export const lzma2FilterId = 0x21;
/** Check type 1: a CRC-32 of each block's uncompressed bytes, what xdelta3 asks liblzma for. */
export const checkCrc32 = 1;

/** Bytes of a block's check for a check type (0 none, 1 CRC-32, 4 CRC-64, 10 SHA-256, the rest reserved sizes). */
export function checkSize(type: number): number {
  return type === 0 ? 0 : 4 << Math.floor((type - 1) / 3);
}

/** The dictionary size an LZMA2 properties byte declares. */
export function dictionarySizeOf(props: number): number | undefined {
  const bits = props & 0x3f;
  if (bits > 40 || props & 0xc0) return undefined;
  return bits === 40 ? 0xffffffff : (2 | (bits & 1)) * 2 ** (Math.floor(bits / 2) + 11);
}

/** The smallest LZMA2 properties byte whose dictionary holds `bytes` (4 KiB at least). */
export function dictionaryPropsFor(bytes: number): number {
  let props = 0;
  while (props < 40 && (dictionarySizeOf(props) as number) < bytes) props++;
  return props;
}
