/**
 * Incremental MD5 (RFC 1321) in plain TypeScript. WebCrypto has no MD5, yet OneNET needs it twice: the
 * package checksum a device verifies, and the `md5` signing method of the `Authorization` token. Incremental,
 * so a multi-megabyte image is hashed as it streams without being held in memory.
 *
 * @example
 * const md5 = new Md5();
 * md5.update(new TextEncoder().encode('abc'));
 * md5.hex(); // '900150983cd24fb0d6963f7d28e17f72'
 */
export class Md5 {
  #state = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  #block = new Uint8Array(64);
  #blockLength = 0;
  #bytes = 0;
  #words = new Int32Array(16);

  /** Feeds more bytes; returns `this` so calls chain. */
  update(data: Uint8Array): this {
    let i = 0;
    this.#bytes += data.length;
    if (this.#blockLength > 0) {
      const take = Math.min(64 - this.#blockLength, data.length);
      this.#block.set(data.subarray(0, take), this.#blockLength);
      this.#blockLength += take;
      i = take;
      if (this.#blockLength < 64) return this;
      this.#compress(this.#block, 0);
      this.#blockLength = 0;
    }
    for (; i + 64 <= data.length; i += 64) this.#compress(data, i);
    if (i < data.length) {
      this.#block.set(data.subarray(i));
      this.#blockLength = data.length - i;
    }
    return this;
  }

  /** The 16-byte digest. The hash must not be updated afterwards. */
  digest(): Uint8Array {
    const bitLength = this.#bytes * 8;
    const padding = new Uint8Array((this.#blockLength < 56 ? 56 : 120) - this.#blockLength + 8);
    padding[0] = 0x80;
    const view = new DataView(padding.buffer);
    // Length in bits, little-endian 64-bit; split because bitwise ops are 32-bit.
    view.setUint32(padding.length - 8, bitLength >>> 0, true);
    view.setUint32(padding.length - 4, Math.floor(bitLength / 2 ** 32), true);
    this.update(padding);
    const out = new Uint8Array(16);
    const outView = new DataView(out.buffer);
    for (let k = 0; k < 4; k++) outView.setInt32(k * 4, this.#state[k] as number, true);
    return out;
  }

  /** The digest as 32 lower-case hex digits, the form OneNET's `md5` fields use. */
  hex(): string {
    return Array.from(this.digest(), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  #compress(data: Uint8Array, offset: number): void {
    const x = this.#words;
    for (let k = 0; k < 16; k++) {
      const o = offset + k * 4;
      x[k] =
        (data[o] as number) |
        ((data[o + 1] as number) << 8) |
        ((data[o + 2] as number) << 16) |
        ((data[o + 3] as number) << 24);
    }
    const s = this.#state;
    let a = s[0] as number;
    let b = s[1] as number;
    let c = s[2] as number;
    let d = s[3] as number;
    for (let k = 0; k < 64; k++) {
      let f: number;
      let g: number;
      if (k < 16) {
        f = (b & c) | (~b & d);
        g = k;
      } else if (k < 32) {
        f = (d & b) | (~d & c);
        g = (5 * k + 1) % 16;
      } else if (k < 48) {
        f = b ^ c ^ d;
        g = (3 * k + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * k) % 16;
      }
      const sum = (a + f + (K[k] as number) + (x[g] as number)) | 0;
      const shift = S[k] as number;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    s[0] = ((s[0] as number) + a) | 0;
    s[1] = ((s[1] as number) + b) | 0;
    s[2] = ((s[2] as number) + c) | 0;
    s[3] = ((s[3] as number) + d) | 0;
  }
}

/**
 * MD5 of a whole buffer as hex.
 *
 * @example
 * md5Hex(new TextEncoder().encode('abc')); // '900150983cd24fb0d6963f7d28e17f72'
 */
export function md5Hex(data: Uint8Array): string {
  return new Md5().update(data).hex();
}

const S = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4,
  11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];
// K[i] = floor(abs(sin(i + 1)) * 2^32), as RFC 1321 defines it.
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
