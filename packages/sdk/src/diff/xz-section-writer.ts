import { crc32 } from './crc32.ts';
import { checkCrc32, dictionaryPropsFor, lzma2FilterId, xzMagic } from './xz-format.ts';

/** The .xz stream header that opens the first compressed section of each kind: CRC-32 checks, as xdelta3 asks. */
export function xzStreamHeader(): Uint8Array {
  const header = new Uint8Array(12);
  header.set(xzMagic);
  header[7] = checkCrc32;
  writeLe32(header, 8, crc32(header.subarray(6, 8)));
  return header;
}

/**
 * One .xz block holding `raw` as the LZMA2 stream `lzma2` (chunks and end marker, as a raw LZMA2 encoder writes
 * them). Its dictionary is declared as small as `raw` allows, which is what bounds a decoder's memory: every block
 * resets it, so a device restoring keeps one section of history, never more.
 */
export function xzBlock(raw: Uint8Array, lzma2: Uint8Array): Uint8Array {
  // Header: size, flags (one filter, no sizes), LZMA2 id, 1 byte of properties, padding to 4, CRC-32: 12 bytes.
  const headerLength = 12;
  const padding = (4 - ((headerLength + lzma2.length) % 4)) % 4;
  const block = new Uint8Array(headerLength + lzma2.length + padding + 4);
  block.set([headerLength / 4 - 1, 0x00, lzma2FilterId, 1, dictionaryPropsFor(raw.length)]);
  writeLe32(block, 8, crc32(block.subarray(0, 8)));
  block.set(lzma2, headerLength);
  writeLe32(block, headerLength + lzma2.length + padding, crc32(raw));
  return block;
}

function writeLe32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = (value >>> 24) & 0xff;
}
