import { PatchError } from './varint.ts';

// The LZMA decoder of LZMA2 chunks, as the LZMA specification (lzma-specification.txt of the LZMA SDK) describes
// it: a range decoder over adaptive bit probabilities, literals, matches and four repeated distances. LZMA2 restarts
// the range decoder at every chunk and says when state and dictionary reset; `xz-section-reader.ts` reads that.

const HALF = 1024; // a probability is 11 bits; every one starts at one half
const SPEC_POS_SIZE = 115; // 1 + 128 full distances - 14 end slot
// One Uint16Array of probabilities, in the specification's order.
const IS_MATCH = 0; // [state << 4 | posState]
const IS_REP = IS_MATCH + 192;
const IS_REP_G0 = IS_REP + 12;
const IS_REP_G1 = IS_REP_G0 + 12;
const IS_REP_G2 = IS_REP_G1 + 12;
const IS_REP0_LONG = IS_REP_G2 + 12; // [state << 4 | posState]
const POS_SLOT = IS_REP0_LONG + 192; // [lenState][64]
const SPEC_POS = POS_SLOT + 256;
const ALIGN = SPEC_POS + SPEC_POS_SIZE;
const LENGTH_SIZE = 2 + 16 * 8 * 2 + 256; // choice, choice2, low[16][8], mid[16][8], high[256]
const MATCH_LENGTH = ALIGN + 16;
const REP_LENGTH = MATCH_LENGTH + LENGTH_SIZE;
const LITERAL = REP_LENGTH + LENGTH_SIZE; // [0x300 << (lc + lp)]

/** LZMA2 caps lc + lp at 4, so the literal table is at most 0x300 << 4 probabilities. */
const MAX_PROBABILITIES = LITERAL + (0x300 << 4);

/**
 * Decodes LZMA chunks into a sliding dictionary and an output buffer. The dictionary grows with what was decoded, up
 * to the size the stream declares, so a stream that resets it at every block (this kit's patches) costs only the
 * bytes of one block, while one that runs on (xdelta3's) keeps as much history as it may reach back to.
 */
export class LzmaDecoder {
  readonly #probabilities = new Uint16Array(MAX_PROBABILITIES);
  #dictionary = new Uint8Array(0);
  #dictionarySize = 0;
  #pos = 0; // next write in #dictionary
  #filled = 0; // bytes of #dictionary holding history
  #total = 0; // bytes decoded since the dictionary reset: positions for lp and pb
  #lc = 0;
  #lp = 0;
  #pb = 0;
  #state = 0;
  #reps = [0, 0, 0, 0];
  // The range decoder of the chunk being decoded.
  #input: Uint8Array = new Uint8Array(0);
  #in = 0;
  #inEnd = 0;
  #range = 0;
  #code = 0;

  /** A dictionary reset: history is forgotten and `size` bytes may be reached back to from now on. */
  resetDictionary(size: number): void {
    this.#dictionarySize = size;
    if (this.#dictionary.length > size) this.#dictionary = new Uint8Array(0);
    this.#pos = 0;
    this.#filled = 0;
    this.#total = 0;
  }

  /** New lc/lp/pb from an LZMA2 properties byte; the state resets with them. */
  setProperties(props: number): void {
    if (props >= 9 * 5 * 5) throw new PatchError('an LZMA2 chunk has invalid properties');
    this.#lc = props % 9;
    this.#lp = Math.floor(props / 9) % 5;
    this.#pb = Math.floor(props / 45);
    if (this.#lc + this.#lp > 4) throw new PatchError('an LZMA2 chunk has lc + lp over 4');
    this.resetState();
  }

  resetState(): void {
    this.#probabilities.fill(HALF, 0, LITERAL + (0x300 << (this.#lc + this.#lp)));
    this.#state = 0;
    this.#reps = [0, 0, 0, 0];
  }

  /** An uncompressed LZMA2 chunk: its bytes go into the history as they are. */
  store(input: Uint8Array, start: number, length: number, out: Uint8Array, outPos: number): void {
    for (let k = 0; k < length; k++) {
      const byte = input[start + k] as number;
      this.#put(byte);
      out[outPos + k] = byte;
    }
  }

  /** Decodes exactly `size` bytes from the compressed chunk `input[start, end)` into `out` at `outPos`. */
  decode(input: Uint8Array, start: number, end: number, out: Uint8Array, outPos: number, size: number): void {
    if (end - start < 5 || input[start] !== 0) throw new PatchError('an LZMA chunk does not start a range coder');
    this.#input = input;
    this.#in = start + 5;
    this.#inEnd = end;
    this.#range = 0xffffffff;
    this.#code =
      (input[start + 1] as number) * 2 ** 24 +
      (((input[start + 2] as number) << 16) | ((input[start + 3] as number) << 8) | (input[start + 4] as number));
    const pbMask = (1 << this.#pb) - 1;
    const outEnd = outPos + size;
    let o = outPos;
    while (o < outEnd) {
      const posState = this.#total & pbMask;
      const state = this.#state;
      if (this.#bit(IS_MATCH + ((state << 4) | posState)) === 0) {
        const byte = this.#literal();
        this.#put(byte);
        out[o++] = byte;
        this.#state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let length: number;
      const reps = this.#reps;
      if (this.#bit(IS_REP + state) === 0) {
        reps[3] = reps[2] as number;
        reps[2] = reps[1] as number;
        reps[1] = reps[0] as number;
        length = this.#length(MATCH_LENGTH, posState);
        this.#state = state < 7 ? 7 : 10;
        reps[0] = this.#distance(length);
        if (reps[0] === 0xffffffff) throw new PatchError('an LZMA chunk holds an end marker, which LZMA2 forbids');
      } else {
        if (this.#bit(IS_REP_G0 + state) === 0) {
          if (this.#bit(IS_REP0_LONG + ((state << 4) | posState)) === 0) {
            // A short rep: one byte from the last distance.
            this.#state = state < 7 ? 9 : 11;
            if ((reps[0] as number) >= this.#filled)
              throw new PatchError('an LZMA match reaches before the start of its dictionary');
            const byte = this.#back(reps[0] as number);
            this.#put(byte);
            out[o++] = byte;
            continue;
          }
        } else {
          let distance: number;
          if (this.#bit(IS_REP_G1 + state) === 0) distance = reps[1] as number;
          else {
            if (this.#bit(IS_REP_G2 + state) === 0) distance = reps[2] as number;
            else {
              distance = reps[3] as number;
              reps[3] = reps[2] as number;
            }
            reps[2] = reps[1] as number;
          }
          reps[1] = reps[0] as number;
          reps[0] = distance;
        }
        length = this.#length(REP_LENGTH, posState);
        this.#state = state < 7 ? 8 : 11;
      }
      const distance = reps[0] as number;
      if (distance >= this.#filled) throw new PatchError('an LZMA match reaches before the start of its dictionary');
      if (o + length > outEnd) throw new PatchError('an LZMA match runs past the end of its chunk');
      for (let k = 0; k < length; k++) {
        const byte = this.#back(distance);
        this.#put(byte);
        out[o++] = byte;
      }
    }
    // The encoder flushed exactly what the decoder reads: anything else is a damaged chunk.
    if (this.#in !== this.#inEnd || this.#code !== 0) throw new PatchError('an LZMA chunk does not end where it says');
  }

  #put(byte: number): void {
    if (this.#pos === this.#dictionary.length) {
      if (this.#dictionary.length < this.#dictionarySize) {
        // Still filling the first pass: grow (doubling, up to the declared size) rather than wrap.
        const grown = new Uint8Array(Math.min(this.#dictionarySize, Math.max(4096, this.#dictionary.length * 2)));
        grown.set(this.#dictionary);
        this.#dictionary = grown;
      } else this.#pos = 0;
    }
    this.#dictionary[this.#pos++] = byte;
    if (this.#filled < this.#dictionary.length) this.#filled++;
    this.#total++;
  }

  /** The byte `distance + 1` back in the history. */
  #back(distance: number): number {
    const at = this.#pos - distance - 1;
    return this.#dictionary[at >= 0 ? at : at + this.#dictionary.length] as number;
  }

  #literal(): number {
    const previous = this.#filled > 0 ? this.#back(0) : 0;
    const literalState = ((this.#total & ((1 << this.#lp) - 1)) << this.#lc) + (previous >>> (8 - this.#lc));
    const base = LITERAL + 0x300 * literalState;
    let symbol = 1;
    if (this.#state >= 7) {
      // After a match the byte at the last distance predicts this one, bit by bit, until they differ.
      let matchByte = this.#back(this.#reps[0] as number);
      while (symbol < 0x100) {
        const matchBit = (matchByte >>> 7) & 1;
        matchByte <<= 1;
        const bit = this.#bit(base + ((1 + matchBit) << 8) + symbol);
        symbol = (symbol << 1) | bit;
        if (matchBit !== bit) break;
      }
    }
    while (symbol < 0x100) symbol = (symbol << 1) | this.#bit(base + symbol);
    return symbol & 0xff;
  }

  #length(base: number, posState: number): number {
    if (this.#bit(base) === 0) return 2 + this.#tree(base + 2 + posState * 8, 3);
    if (this.#bit(base + 1) === 0) return 2 + 8 + this.#tree(base + 2 + 128 + posState * 8, 3);
    return 2 + 16 + this.#tree(base + 2 + 256, 8);
  }

  #distance(length: number): number {
    const lengthState = Math.min(length - 2, 3);
    const slot = this.#tree(POS_SLOT + lengthState * 64, 6);
    if (slot < 4) return slot;
    const directBits = (slot >>> 1) - 1;
    let distance = (2 | (slot & 1)) * 2 ** directBits;
    if (slot < 14) return distance + this.#reverseTree(SPEC_POS + distance - slot, directBits);
    distance += this.#direct(directBits - 4) * 16;
    return distance + this.#reverseTree(ALIGN, 4);
  }

  #tree(base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.#bit(base + m);
    return m - (1 << bits);
  }

  #reverseTree(base: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const bit = this.#bit(base + m);
      m = (m << 1) | bit;
      symbol |= bit << i;
    }
    return symbol;
  }

  #direct(bits: number): number {
    let value = 0;
    for (let i = 0; i < bits; i++) {
      this.#range = Math.floor(this.#range / 2);
      let bit = 0;
      if (this.#code >= this.#range) {
        this.#code -= this.#range;
        bit = 1;
      }
      value = value * 2 + bit;
      this.#normalize();
    }
    return value;
  }

  #bit(index: number): number {
    const probs = this.#probabilities;
    const p = probs[index] as number;
    const bound = (this.#range >>> 11) * p;
    let bit: number;
    if (this.#code < bound) {
      this.#range = bound;
      probs[index] = p + ((2048 - p) >>> 5);
      bit = 0;
    } else {
      this.#range -= bound;
      this.#code -= bound;
      probs[index] = p - (p >>> 5);
      bit = 1;
    }
    this.#normalize();
    return bit;
  }

  #normalize(): void {
    if (this.#range < 0x1000000) {
      if (this.#in >= this.#inEnd) throw new PatchError('an LZMA chunk ends early');
      this.#range *= 256;
      this.#code = this.#code * 256 + (this.#input[this.#in++] as number);
    }
  }
}
