import { RangeRule } from '@onenet-ota/openapi/protocol';
import { parsedBounds, plainBounds } from '@onenet-ota/sdk';

/** How the download endpoint reads `Range`. */
export type RangeDialect = 'onenet' | 'rfc9110';

/** The part of the file to send, and the rule of the dialect that chose it (spec `RangeRule`, journaled). */
export type RangeDecision =
  | { kind: 'whole'; rule: RangeRule }
  | { kind: 'partial'; start: number; end: number; rule: RangeRule }
  | { kind: 'unsatisfiable'; rule: RangeRule };

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
  if (header === null) return { kind: 'whole', rule: RangeRule.None };
  const bounds = plainBounds(header) ?? parsedBounds(header);
  if (!bounds) return { kind: 'whole', rule: RangeRule.Unreadable };
  if (dialect === 'rfc9110' && !bounds.unit) return { kind: 'whole', rule: RangeRule.NoUnit };
  const { first, last } = bounds;
  if (first === undefined && last === undefined) return { kind: 'whole', rule: RangeRule.Unreadable };
  const last_ = length - 1;

  if (dialect === 'onenet' && (first === undefined ? last === 1 : first === last))
    return { kind: 'whole', rule: RangeRule.OneByte };
  if (first === undefined) {
    const n = last as number;
    if (n === 0)
      return dialect === 'rfc9110'
        ? { kind: 'unsatisfiable', rule: RangeRule.ZeroSuffix }
        : { kind: 'whole', rule: RangeRule.ZeroSuffix };
    const rule = n > length ? RangeRule.Clamped : RangeRule.AsAsked;
    return { kind: 'partial', start: Math.max(0, length - n), end: last_, rule };
  }
  if (last === undefined) {
    if (first > last_) {
      if (dialect === 'rfc9110') return { kind: 'unsatisfiable', rule: RangeRule.BeyondEnd };
      return { kind: 'partial', start: 0, end: last_, rule: RangeRule.Restart };
    }
    return { kind: 'partial', start: first, end: last_, rule: RangeRule.AsAsked };
  }
  const end = Math.min(last, last_);
  const rule = last > last_ ? RangeRule.Clamped : RangeRule.AsAsked;
  if (dialect === 'rfc9110') {
    if (last < first) return { kind: 'whole', rule: RangeRule.Reversed };
    if (first > last_) return { kind: 'unsatisfiable', rule: RangeRule.BeyondEnd };
    return { kind: 'partial', start: first, end, rule };
  }
  if (first > end) return { kind: 'partial', start: 0, end, rule: RangeRule.StartReset };
  return { kind: 'partial', start: first, end, rule };
}
