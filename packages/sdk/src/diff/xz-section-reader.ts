import { crc32 } from './crc32.ts';
import { LzmaDecoder } from './lzma-decoder.ts';
import { PatchError } from './varint.ts';
import { checkCrc32, checkSize, dictionarySizeOf, lzma2FilterId, xzMagic } from './xz-format.ts';

/**
 * The largest LZMA2 dictionary kept: xz's preset 9, the most xdelta3 -9 declares. A block declaring more is refused
 * before anything is decoded, so a hostile patch cannot make the history grow past it.
 */
export const maxDictionaryBytes = 64 * 1024 * 1024;

/**
 * Reads one kind of section (data, instructions or addresses) of a VCDIFF patch with xdelta3's LZMA secondary
 * compression: one .xz stream per kind, carried a piece per window, each piece decoding to exactly the size its
 * window declares. xdelta3 runs one LZMA2 block through every window, flushed at each window's end, so the decoder
 * keeps its state from piece to piece; this kit's encoder starts a block per window, so its history is one window.
 * Both are read, as is an index that ends the stream. Block checks are verified when they are CRC-32 (xdelta3's).
 */
export class XzSectionReader {
  readonly #lzma = new LzmaDecoder();
  #expect: 'stream' | 'block' | 'chunks' | 'ended' = 'stream';
  #checkType = 0;
  #dictionarySize = 0;
  #blockBytes = 0; // of the current block, header included: its padding aligns them to 4
  #blockCrc = 0;
  #needDictionaryReset = true;
  #needProperties = true;

  /** Decodes the piece of the stream one window carries, which must decode to exactly `size` bytes. */
  read(piece: Uint8Array, size: number): Uint8Array {
    const out = new Output(size);
    let o = 0;
    let p = 0;
    while (p < piece.length) {
      if (this.#expect === 'stream') p = this.#streamHeader(piece, p);
      else if (this.#expect === 'block') p = this.#blockHeader(piece, p);
      else if (this.#expect === 'chunks') {
        const before = o;
        [p, o] = this.#chunk(piece, p, out, o);
        this.#blockCrc = crc32(out.bytes.subarray(before, o), this.#blockCrc);
      } else throw new PatchError('a compressed section goes on after its .xz stream ended');
    }
    if (o !== size) throw new PatchError(`a compressed section decodes to ${o} of the ${size} bytes it declares`);
    return out.bytes;
  }

  #streamHeader(piece: Uint8Array, p: number): number {
    const header = need(piece, p, 12, 'the .xz stream header');
    if (xzMagic.some((byte, k) => header[k] !== byte)) throw new PatchError('a compressed section is not .xz');
    if (header[6] !== 0 || (header[7] as number) > 15 || crc32(header.subarray(6, 8)) !== le32(header, 8))
      throw new PatchError('the .xz stream flags are damaged');
    this.#checkType = header[7] as number;
    this.#expect = 'block';
    return p + 12;
  }

  #blockHeader(piece: Uint8Array, p: number): number {
    if (piece[p] === 0) {
      // The index: the stream is over. Its footer ends with "YZ"; the records need not be read to restore.
      if (piece[piece.length - 2] !== 0x59 || piece[piece.length - 1] !== 0x5a)
        throw new PatchError('the .xz index is not followed by its footer');
      this.#expect = 'ended';
      return piece.length;
    }
    const length = ((piece[p] as number) + 1) * 4;
    const header = need(piece, p, length, 'an .xz block header');
    if (crc32(header.subarray(0, length - 4)) !== le32(header, length - 4))
      throw new PatchError('an .xz block header fails its CRC-32');
    const flags = header[1] as number;
    if (flags & 0x3c) throw new PatchError('an .xz block header sets reserved flags');
    let at = 2;
    const field = () => {
      let value = 0;
      for (let k = 0; k < 9 && at < length - 4; k++) {
        const byte = header[at++] as number;
        value += (byte & 0x7f) * 2 ** (7 * k);
        if ((byte & 0x80) === 0) return value;
      }
      throw new PatchError('an .xz block header has a damaged integer');
    };
    if (flags & 0x40) field(); // compressed size: the chunks say where they end
    if (flags & 0x80) field(); // uncompressed size: each window says how much it needs
    const filters = (flags & 0x03) + 1;
    const id = field();
    const propsSize = field();
    if (filters !== 1 || id !== lzma2FilterId || propsSize !== 1)
      throw new PatchError(`an .xz block uses filter 0x${id.toString(16)} (of ${filters}); only LZMA2 alone is read`);
    const dictionarySize = dictionarySizeOf(header[at] as number);
    if (dictionarySize === undefined) throw new PatchError('an .xz block declares an invalid LZMA2 dictionary');
    if (dictionarySize > maxDictionaryBytes)
      throw new PatchError(
        `an .xz block declares a ${dictionarySize}-byte LZMA2 dictionary; this decoder keeps at most ${maxDictionaryBytes}`,
      );
    this.#dictionarySize = dictionarySize;
    this.#blockBytes = length;
    this.#blockCrc = 0;
    this.#needDictionaryReset = true;
    this.#needProperties = true;
    this.#expect = 'chunks';
    return p + length;
  }

  /** One LZMA2 chunk, or the end of the block (its padding and check). Returns the positions after it. */
  #chunk(piece: Uint8Array, p: number, out: Output, o: number): [number, number] {
    const control = piece[p] as number;
    if (control === 0x00) return [this.#blockEnd(piece, p + 1), o];
    if (control === 0x01 || control === 0x02) {
      const size = be16(need(piece, p, 3, 'an LZMA2 chunk header'), 1) + 1;
      if (control === 0x01) this.#resetDictionary();
      else if (this.#needDictionaryReset) throw new PatchError('an LZMA2 block does not start with a dictionary reset');
      need(piece, p + 3, size, 'an LZMA2 chunk');
      this.#lzma.store(piece, p + 3, size, out.room(o, size), o);
      this.#blockBytes += 3 + size;
      return [p + 3 + size, o + size];
    }
    if (control < 0x80) throw new PatchError(`an LZMA2 chunk has the invalid control byte 0x${control.toString(16)}`);
    const reset = (control >>> 5) & 3;
    const headerLength = reset >= 2 ? 6 : 5;
    const header = need(piece, p, headerLength, 'an LZMA2 chunk header');
    const size = (control & 0x1f) * 65536 + be16(header, 1) + 1;
    const packed = be16(header, 3) + 1;
    if (reset === 3) this.#resetDictionary();
    else if (this.#needDictionaryReset) throw new PatchError('an LZMA2 block does not start with a dictionary reset');
    if (reset >= 2) {
      this.#lzma.setProperties(header[5] as number);
      this.#needProperties = false;
    } else if (this.#needProperties) throw new PatchError('an LZMA2 chunk comes before any properties');
    else if (reset === 1) this.#lzma.resetState();
    need(piece, p + headerLength, packed, 'an LZMA2 chunk');
    this.#lzma.decode(piece, p + headerLength, p + headerLength + packed, out.room(o, size), o, size);
    this.#blockBytes += headerLength + packed;
    return [p + headerLength + packed, o + size];
  }

  #blockEnd(piece: Uint8Array, p: number): number {
    this.#blockBytes += 1;
    const padding = (4 - (this.#blockBytes % 4)) % 4;
    const check = checkSize(this.#checkType);
    const tail = need(piece, p, padding + check, "an .xz block's padding and check");
    if (tail.subarray(0, padding).some((byte) => byte !== 0)) throw new PatchError('an .xz block has damaged padding');
    if (this.#checkType === checkCrc32 && le32(tail, padding) !== this.#blockCrc)
      throw new PatchError('an .xz block fails its CRC-32 check');
    this.#expect = 'block';
    return p + padding + check;
  }

  #resetDictionary(): void {
    this.#lzma.resetDictionary(this.#dictionarySize);
    this.#needDictionaryReset = false;
  }
}

function need(piece: Uint8Array, p: number, length: number, what: string): Uint8Array {
  if (p + length > piece.length) throw new PatchError(`${what} runs past the end of its section`);
  return piece.subarray(p, p + length);
}

/**
 * The decoded bytes of one piece, grown as its chunks say they need room and never past the size its window
 * declares: a window may declare megabytes, and a hostile patch would make the device allocate them from a few bytes
 * if they were taken at once; grown this way, a lie costs at most one chunk (2 MiB) before decoding it fails.
 */
class Output {
  bytes: Uint8Array;
  readonly #declared: number;

  constructor(declared: number) {
    this.#declared = declared;
    this.bytes = new Uint8Array(Math.min(declared, 64 * 1024));
  }

  /** The buffer with room for `count` more bytes at `at`. */
  room(at: number, count: number): Uint8Array {
    if (at + count > this.#declared)
      throw new PatchError(`a compressed section decodes past the ${this.#declared} bytes it declares`);
    if (at + count > this.bytes.length) {
      const grown = new Uint8Array(Math.min(this.#declared, Math.max(at + count, this.bytes.length * 2)));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
    }
    return this.bytes;
  }
}

function be16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
}

function le32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  );
}
