import { nearSlots, sameSlots } from './code-table.ts';
import { adler32, writeVarint } from './varint.ts';
import { lzmaSecondaryId } from './xz-format.ts';
import { xzBlock, xzStreamHeader } from './xz-section-writer.ts';

/** Options of {@link createVcdiff}. */
export interface VcdiffOptions {
  /** Target bytes per window; a decoder holds one window and its sections in memory. 1 MiB by default. */
  windowSize?: number;
  /**
   * A raw LZMA2 compressor (chunks and end marker, e.g. `lzma2.compressSync` of `@napi-rs/lzma`). When given, each
   * section that shrinks is compressed as xdelta3's LZMA secondary compression does it (`xdelta3 -S lzma`, its
   * default), which `xdelta3 -d` and the SDK's `restoreVcdiff` read: about half the bytes on relinked machine code.
   */
  lzma2?: (bytes: Uint8Array) => Uint8Array;
}

const VCD_DECOMPRESS = 0x01;
// xdelta3's thresholds: a section under 10 bytes is not tried, and compression must save more than 2 bytes.
const SECONDARY_MIN_INPUT = 10;
const SECONDARY_MIN_SAVINGS = 2;

const BLOCK = 16; // bytes hashed to find a match in the source
const MIN_MATCH = 16; // a match found by hash must be at least this long
const MIN_CONTINUATION = 6; // a match at the previous copy's offset may be shorter: relinked code shifts together
const MIN_RUN = 8;

/**
 * Makes a VCDIFF (RFC 3284) patch that turns `source` into `target`: windows of target bytes, each copying from the
 * whole source, with xdelta3's Adler-32 checksum per window so a decoder can tell the wrong base image. Uses the
 * default code table and no secondary compression, so `xdelta3 -d` and other standard decoders apply it.
 *
 * Matching is greedy: each target position first tries the source offset the previous copy used (firmware that was
 * relinked shifts whole regions together), then a hash of the next 16 bytes over the source.
 *
 * @example
 * const patch = createVcdiff(v1Image, v2Image);
 */
export function createVcdiff(
  source: Uint8Array,
  target: Uint8Array,
  { windowSize = 1 << 20, lzma2 }: VcdiffOptions = {},
): Uint8Array {
  const index = indexSource(source);
  const chunks: Uint8Array[] = [
    Uint8Array.from(lzma2 ? [0xd6, 0xc3, 0xc4, 0x00, VCD_DECOMPRESS, lzmaSecondaryId] : [0xd6, 0xc3, 0xc4, 0x00, 0x00]),
  ];
  const secondary = lzma2 ? lzmaSections(lzma2) : undefined;
  let delta = 0; // source offset - target offset of the last copy
  for (let start = 0; start < target.length || start === 0; start += windowSize) {
    const window = target.subarray(start, Math.min(start + windowSize, target.length));
    const encoded = encodeWindow(source, window, start, index, delta);
    delta = encoded.delta;
    chunks.push(...windowBytes(source.length, window, encoded.sections, secondary));
    if (target.length === 0) break;
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const patch = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    patch.set(chunk, at);
    at += chunk.length;
  }
  return patch;
}

/** Positions of source blocks by hash (one per bucket: the latest wins), in a flat table. */
interface SourceIndex {
  table: Int32Array;
  mask: number;
}

function indexSource(source: Uint8Array): SourceIndex {
  let size = 1 << 16;
  while (size < source.length * 2 && size < 1 << 24) size <<= 1;
  const table = new Int32Array(size).fill(-1);
  const mask = size - 1;
  // Every 4th position: four times fewer entries, and a match still starts within 3 bytes of where it could.
  for (let p = 0; p + BLOCK <= source.length; p += 4) table[hashAt(source, p) & mask] = p;
  return { table, mask };
}

function hashAt(bytes: Uint8Array, p: number): number {
  let h = 0;
  for (let k = 0; k < BLOCK; k++) h = Math.imul(h ^ (bytes[p + k] as number), 0x01000193);
  return h >>> 0;
}

function matchLength(source: Uint8Array, s: number, target: Uint8Array, t: number): number {
  let n = 0;
  while (s + n < source.length && t + n < target.length && source[s + n] === target[t + n]) n++;
  return n;
}

function encodeWindow(
  source: Uint8Array,
  window: Uint8Array,
  windowStart: number,
  index: SourceIndex,
  lastDelta: number,
) {
  const data: number[] = [];
  const instructions: number[] = [];
  const addresses: number[] = [];
  const near = new Array<number>(nearSlots).fill(0);
  const same = new Array<number>(sameSlots * 256).fill(0);
  let nextNear = 0;
  let delta = lastDelta;
  let literalStart = 0;

  const emitLiterals = (end: number) => {
    let p = literalStart;
    while (p < end) {
      // A run of one byte (erased flash, padding) is a RUN, not an ADD.
      let run = 1;
      while (p + run < end && window[p + run] === window[p]) run++;
      if (run >= MIN_RUN) {
        instructions.push(0);
        writeVarint(instructions, run);
        data.push(window[p] as number);
        p += run;
        continue;
      }
      let q = p + run;
      while (q < end) {
        let r = 1;
        while (q + r < end && window[q + r] === window[q]) r++;
        if (r >= MIN_RUN) break;
        q += r;
      }
      const size = q - p;
      if (size <= 17) instructions.push(1 + size);
      else {
        instructions.push(1);
        writeVarint(instructions, size);
      }
      for (let k = p; k < q; k++) data.push(window[k] as number);
      p = q;
    }
  };

  const emitCopy = (address: number, size: number, here: number) => {
    // Pick the address mode that encodes shortest, exactly as the decoder will undo it (RFC 3284 §5.3).
    let mode = 0;
    let encoded: number[] = [];
    writeVarint(encoded, address);
    const sameIndex = address % (sameSlots * 256);
    if (same[sameIndex] === address) {
      mode = 2 + nearSlots + Math.floor(sameIndex / 256);
      encoded = [sameIndex % 256];
    } else {
      const candidates: [number, number][] = [
        [1, here - address],
        ...near.map((n, i) => [2 + i, address - n] as [number, number]),
      ];
      for (const [m, value] of candidates) {
        if (value < 0) continue;
        const bytes: number[] = [];
        writeVarint(bytes, value);
        if (bytes.length < encoded.length) {
          mode = m;
          encoded = bytes;
        }
      }
    }
    if (size >= 4 && size <= 18) instructions.push(19 + mode * 16 + (size - 3));
    else {
      instructions.push(19 + mode * 16);
      writeVarint(instructions, size);
    }
    addresses.push(...encoded);
    near[nextNear] = address;
    nextNear = (nextNear + 1) % nearSlots;
    same[sameIndex] = address;
  };

  let t = 0;
  while (t < window.length) {
    const absolute = windowStart + t;
    let bestSource = -1;
    let bestLength = 0;
    const continued = absolute + delta;
    if (continued >= 0 && continued < source.length) {
      const length = matchLength(source, continued, window, t);
      if (length >= MIN_CONTINUATION) [bestSource, bestLength] = [continued, length];
    }
    if (bestLength < 64 && t + BLOCK <= window.length) {
      const candidate = index.table[hashAt(window, t) & index.mask] as number;
      if (candidate >= 0) {
        const length = matchLength(source, candidate, window, t);
        if (length >= MIN_MATCH && length > bestLength) [bestSource, bestLength] = [candidate, length];
      }
    }
    if (bestLength === 0) {
      t++;
      continue;
    }
    // Extend backwards over literals not yet emitted.
    while (t > literalStart && bestSource > 0 && source[bestSource - 1] === window[t - 1]) {
      t--;
      bestSource--;
      bestLength++;
    }
    emitLiterals(t);
    emitCopy(bestSource, bestLength, source.length + t);
    delta = bestSource - (windowStart + t);
    t += bestLength;
    literalStart = t;
  }
  emitLiterals(window.length);

  return { sections: [Uint8Array.from(data), Uint8Array.from(instructions), Uint8Array.from(addresses)], delta };
}

/** Compresses a section when that saves bytes; `undefined` leaves it as it is. Index 0 data, 1 instructions, 2 addresses. */
type Secondary = (kind: number, section: Uint8Array) => Uint8Array | undefined;

/**
 * xdelta3's LZMA secondary compression: per kind of section, one .xz stream whose header opens the first section
 * compressed, then a block per window. A compressed section is its decoded size, then its piece of the stream.
 */
function lzmaSections(lzma2: (bytes: Uint8Array) => Uint8Array): Secondary {
  const started = [false, false, false];
  return (kind, section) => {
    if (section.length < SECONDARY_MIN_INPUT) return undefined;
    const size: number[] = [];
    writeVarint(size, section.length);
    const block = xzBlock(section, lzma2(section));
    const header = started[kind] ? undefined : xzStreamHeader();
    const length = size.length + (header?.length ?? 0) + block.length;
    if (length >= section.length - SECONDARY_MIN_SAVINGS) return undefined;
    started[kind] = true;
    const piece = new Uint8Array(length);
    piece.set(size);
    if (header) piece.set(header, size.length);
    piece.set(block, length - block.length);
    return piece;
  };
}

/** A window as the patch carries it: its header, then data, instructions and addresses, each maybe compressed. */
function windowBytes(
  sourceLength: number,
  window: Uint8Array,
  raw: Uint8Array[],
  secondary: Secondary | undefined,
): Uint8Array[] {
  let indicator = 0; // VCD_DATACOMP 1, VCD_INSTCOMP 2, VCD_ADDRCOMP 4
  const sections = raw.map((section, kind) => {
    const compressed = secondary?.(kind, section);
    if (!compressed) return section;
    indicator |= 1 << kind;
    return compressed;
  });
  const [data, instructions, addresses] = sections as [Uint8Array, Uint8Array, Uint8Array];
  const fields: number[] = [];
  writeVarint(fields, window.length);
  fields.push(indicator);
  writeVarint(fields, data.length);
  writeVarint(fields, instructions.length);
  writeVarint(fields, addresses.length);
  const checksum = adler32(window);
  fields.push(checksum >>> 24, (checksum >>> 16) & 0xff, (checksum >>> 8) & 0xff, checksum & 0xff);
  const header: number[] = [0x05]; // VCD_SOURCE | VCD_ADLER32
  writeVarint(header, sourceLength);
  writeVarint(header, 0);
  writeVarint(header, fields.length + data.length + instructions.length + addresses.length);
  header.push(...fields);
  return [Uint8Array.from(header), data, instructions, addresses];
}
