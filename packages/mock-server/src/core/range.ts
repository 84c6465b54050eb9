/** How the download endpoint reads `Range`. */
export type RangeDialect = 'onenet' | 'rfc9110';

/** The part of the file to send. */
export type RangeDecision =
  | { kind: 'whole' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const form = /^(?:bytes=)?\s*(\d*)\s*-\s*(\d*)\s*$/i;

/** The bounds a Range header names: `undefined` where it leaves one out (`s-`, `-n`). */
interface Bounds {
  unit: boolean;
  first: number | undefined;
  last: number | undefined;
}

/**
 * Decides what a `Range` header selects from a file of `length` bytes (length ≥ 1).
 *
 * `onenet` follows the rules quoted in the protocol §2.4 to the letter: `s-` with `s >= len` starts at 0;
 * `s-e` clamps `e` to `len-1` and resets `s` to 0 when `s > e`; `-n` with `n > len` is the whole file; leading
 * zeros are ignored (`01-02` is `1-2`); a header that follows none of these forms is the whole file. A range that
 * names a single byte (`s-s`, `-1`) is below OneNET's smallest fragment ("每次获取分片包的最小范围限制为2个字节"), so it
 * follows no rule and is the whole file too (rule 4); a range clamped to one byte (`len-1-len`) is served as clamped.
 * `rfc9110` requires the `bytes=` unit, answers 416 for a start beyond the end, and ignores anything invalid
 * (RFC 9110 §14.2: a server may ignore Range), including several ranges.
 */
export function decideRange(header: string | null, length: number, dialect: RangeDialect): RangeDecision {
  if (header === null) return { kind: 'whole' };
  const bounds = plainBounds(header) ?? parsedBounds(header);
  if (!bounds || (dialect === 'rfc9110' && !bounds.unit)) return { kind: 'whole' };
  const { first, last } = bounds;
  if (first === undefined && last === undefined) return { kind: 'whole' };
  const last_ = length - 1;

  if (dialect === 'onenet' && (first === undefined ? last === 1 : first === last)) return { kind: 'whole' };
  if (first === undefined) {
    const n = last as number;
    if (n === 0) return dialect === 'rfc9110' ? { kind: 'unsatisfiable' } : { kind: 'whole' };
    return { kind: 'partial', start: Math.max(0, length - n), end: last_ };
  }
  let start = first;
  if (last === undefined) {
    if (start > last_) {
      if (dialect === 'rfc9110') return { kind: 'unsatisfiable' };
      start = 0;
    }
    return { kind: 'partial', start, end: last_ };
  }
  let end = Math.min(last, last_);
  if (dialect === 'rfc9110') {
    if (last < start) return { kind: 'whole' };
    if (start > last_) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start, end };
  }
  if (start > end) start = 0;
  end = Math.max(end, start);
  return { kind: 'partial', start, end };
}

/**
 * The bounds of a header in the form nearly every device sends, `bytes=s-e` or OneNET's `s-e` (digits, no spaces,
 * at most 15 digits each), read without a regular expression; undefined for any other form, which
 * {@link parsedBounds} reads. A device asks for a fragment per request: this is the download's hot path.
 */
export function plainBounds(header: string): Bounds | undefined {
  const unit = header.startsWith('bytes=');
  let at = unit ? 6 : 0;
  const firstStart = at;
  let first = 0;
  for (; at < header.length; at++) {
    const digit = header.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) break;
    first = first * 10 + digit;
  }
  const firstDigits = at - firstStart;
  if (firstDigits === 0 || firstDigits > 15 || header.charCodeAt(at) !== 45) return undefined;
  const lastStart = ++at;
  let last = 0;
  for (; at < header.length; at++) {
    const digit = header.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return undefined;
    last = last * 10 + digit;
  }
  const lastDigits = at - lastStart;
  if (lastDigits === 0 || lastDigits > 15) return undefined;
  return { unit, first, last };
}

/** The bounds of any header the dialects read (spaces, a unit in any case, an open end); undefined if none. */
export function parsedBounds(header: string): Bounds | undefined {
  const text = header.trim();
  const match = form.exec(text);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  return {
    unit: /^bytes=/i.test(text),
    first: first === '' ? undefined : Number(first),
    last: last === '' ? undefined : Number(last),
  };
}
