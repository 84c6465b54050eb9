/** VCDIFF's variable-length integers (RFC 3284 §2): base 128, most significant digit first, high bit = more. */
export function writeVarint(out: number[], value: number): void {
  const digits = [value % 128];
  for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) digits.push((v % 128) | 0x80);
  for (let i = digits.length - 1; i >= 0; i--) out.push(digits[i] as number);
}

/** Reads an integer at `pos` of `bytes`; returns the value and the position after it. */
export function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  for (let i = pos; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new PatchError('an integer of the patch is too large');
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  throw new PatchError('the patch ends inside an integer');
}

/**
 * The patch is malformed, uses a feature this decoder lacks, or does not fit the image it is applied to.
 *
 * @example
 * try { for await (const w of restoreVcdiff(source, patch)); } catch (e) { if (e instanceof PatchError) report(204); }
 */
export class PatchError extends Error {
  override name = 'PatchError';
}

/** Adler-32 (RFC 1950), which xdelta3 writes per window to check the restored bytes. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    // 5552 is the most bytes that cannot overflow 32 bits before the modulo.
    const end = Math.min(i + 5552, bytes.length);
    for (; i < end; i++) {
      a += bytes[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
