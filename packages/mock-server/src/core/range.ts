/** How the download endpoint reads `Range`. */
export type RangeDialect = 'onenet' | 'rfc9110';

/** The part of the file to send. */
export type RangeDecision =
  | { kind: 'whole' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const form = /^(?:bytes=)?\s*(\d*)\s*-\s*(\d*)\s*$/i;

/**
 * Decides what a `Range` header selects from a file of `length` bytes (length ≥ 1).
 *
 * `onenet` follows the rules quoted in the protocol §2.4 to the letter: `s-` with `s >= len` starts at 0;
 * `s-e` clamps `e` to `len-1` and resets `s` to 0 when `s > e`; `-n` with `n > len` is the whole file; leading
 * zeros are ignored (`01-02` is `1-2`); a header that follows none of these forms is the whole file.
 * `rfc9110` requires the `bytes=` unit, answers 416 for a start beyond the end, and ignores anything invalid
 * (RFC 9110 §14.2: a server may ignore Range), including several ranges.
 */
export function decideRange(header: string | null, length: number, dialect: RangeDialect): RangeDecision {
  if (header === null) return { kind: 'whole' };
  const text = header.trim();
  if (dialect === 'rfc9110' && !/^bytes=/i.test(text)) return { kind: 'whole' };
  const match = form.exec(text);
  if (!match) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  const last_ = length - 1;

  if (first === '') {
    const n = Number(last);
    if (n === 0) return dialect === 'rfc9110' ? { kind: 'unsatisfiable' } : { kind: 'whole' };
    return { kind: 'partial', start: Math.max(0, length - n), end: last_ };
  }
  let start = Number(first);
  if (last === '') {
    if (start > last_) {
      if (dialect === 'rfc9110') return { kind: 'unsatisfiable' };
      start = 0;
    }
    return { kind: 'partial', start, end: last_ };
  }
  let end = Math.min(Number(last), last_);
  if (dialect === 'rfc9110') {
    if (Number(last) < start) return { kind: 'whole' };
    if (start > last_) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start, end };
  }
  if (start > end) start = 0;
  end = Math.max(end, start);
  return { kind: 'partial', start, end };
}
