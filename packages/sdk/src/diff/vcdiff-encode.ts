import { nearSlots, sameSlots } from './code-table.ts';
import { adler32, writeVarint } from './varint.ts';

/** Options of {@link createVcdiff}. */
export interface VcdiffOptions {
  /** Target bytes per window; a decoder holds one window in memory. 1 MiB by default. */
  windowSize?: number;
}

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
  { windowSize = 1 << 20 }: VcdiffOptions = {},
): Uint8Array {
  const index = indexSource(source);
  const out: number[] = [0xd6, 0xc3, 0xc4, 0x00, 0x00];
  const chunks: Uint8Array[] = [];
  let delta = 0; // source offset - target offset of the last copy
  for (let start = 0; start < target.length || start === 0; start += windowSize) {
    const window = target.subarray(start, Math.min(start + windowSize, target.length));
    const encoded = encodeWindow(source, window, start, index, delta);
    delta = encoded.delta;
    out.push(...encoded.header);
    chunks.push(Uint8Array.from(out), encoded.body);
    out.length = 0;
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

  const sections: number[] = [];
  writeVarint(sections, window.length);
  sections.push(0); // no section compression
  writeVarint(sections, data.length);
  writeVarint(sections, instructions.length);
  writeVarint(sections, addresses.length);
  const checksum = adler32(window);
  sections.push(checksum >>> 24, (checksum >>> 16) & 0xff, (checksum >>> 8) & 0xff, checksum & 0xff);
  const header: number[] = [0x05]; // VCD_SOURCE | VCD_ADLER32
  writeVarint(header, source.length);
  writeVarint(header, 0);
  writeVarint(header, sections.length + data.length + instructions.length + addresses.length);
  header.push(...sections);
  const body = new Uint8Array(data.length + instructions.length + addresses.length);
  body.set(data, 0);
  body.set(instructions, data.length);
  body.set(addresses, data.length + instructions.length);
  return { header, body, delta };
}
