import { parsedBounds, plainBounds, RangeRule } from '@onenet-ota/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRange, type RangeDecision, type RangeDialect } from '../src/index.ts';

const len = 1000;
const part = (start: number, end: number, rule: RangeRule = RangeRule.AsAsked): RangeDecision => ({
  kind: 'partial',
  start,
  end,
  rule,
});
const whole = (rule: RangeRule): RangeDecision => ({ kind: 'whole', rule });
const unsatisfiable = (rule: RangeRule): RangeDecision => ({ kind: 'unsatisfiable', rule });

// given: [Range header, dialect] → want. The OneNET rules are quoted in the protocol §2.4.
const cases: [string | null, RangeDialect, RangeDecision, string][] = [
  [null, 'onenet', whole(RangeRule.None), 'no header: the whole file'],
  ['bytes=0-99', 'onenet', part(0, 99), 'bytes=s-e'],
  ['0-99', 'onenet', part(0, 99), 's-e without the unit (OneNET curl example)'],
  ['50500-50999', 'onenet', part(0, 999, RangeRule.StartReset), 's > e after clamping e: s becomes 0'],
  ['bytes=900-', 'onenet', part(900, 999), 's-: to the end'],
  ['bytes=1000-', 'onenet', part(0, 999, RangeRule.Restart), 's- with s >= len: s = 0'],
  ['bytes=990-2000', 'onenet', part(990, 999, RangeRule.Clamped), 'e >= len: e = len-1'],
  ['bytes=500-100', 'onenet', part(0, 100, RangeRule.StartReset), 's > e: s = 0'],
  ['bytes=-100', 'onenet', part(900, 999), '-n: the last n bytes'],
  ['bytes=-5000', 'onenet', part(0, 999, RangeRule.Clamped), '-n with n > len: the whole file'],
  ['01-02', 'onenet', part(1, 2), '01-02 is 1-2'],
  ['bytes=0-1,5-6', 'onenet', whole(RangeRule.Unreadable), 'several ranges follow no rule: the whole file'],
  ['lines=1-2', 'onenet', whole(RangeRule.Unreadable), 'another unit: the whole file'],
  ['bytes=abc', 'onenet', whole(RangeRule.Unreadable), 'garbage: the whole file'],
  ['bytes=-', 'onenet', whole(RangeRule.Unreadable), 'neither bound: the whole file'],
  ['bytes=999-999', 'onenet', whole(RangeRule.OneByte), 'one byte is below the 2-byte minimum: the whole file'],
  ['5-5', 'onenet', whole(RangeRule.OneByte), 'one byte without the unit: the whole file'],
  ['bytes=-1', 'onenet', whole(RangeRule.OneByte), 'the last one byte is below the minimum: the whole file'],
  ['bytes=998-999', 'onenet', part(998, 999), 'the last two bytes'],
  ['bytes=999-1005', 'onenet', part(999, 999, RangeRule.Clamped), 'clamped to one byte: served as clamped'],
  ['bytes=999-', 'onenet', part(999, 999), 'the last byte as an open range: served'],
  ['bytes=999-999', 'rfc9110', part(999, 999), 'RFC: one byte is a range'],
  ['bytes=0-99', 'rfc9110', part(0, 99), 'RFC: a plain range'],
  ['0-99', 'rfc9110', whole(RangeRule.NoUnit), 'RFC: no unit, ignored'],
  ['bytes=1000-', 'rfc9110', unsatisfiable(RangeRule.BeyondEnd), 'RFC: start beyond the end is 416'],
  ['bytes=1000-2000', 'rfc9110', unsatisfiable(RangeRule.BeyondEnd), 'RFC: start beyond the end is 416'],
  ['bytes=990-2000', 'rfc9110', part(990, 999, RangeRule.Clamped), 'RFC: end clamped'],
  ['bytes=500-100', 'rfc9110', whole(RangeRule.Reversed), 'RFC: invalid range ignored'],
  ['bytes=-0', 'rfc9110', unsatisfiable(RangeRule.ZeroSuffix), 'RFC: an empty suffix is 416'],
  ['bytes=-5000', 'rfc9110', part(0, 999, RangeRule.Clamped), 'RFC: a long suffix is the whole file as a range'],
  ['bytes=-0', 'onenet', whole(RangeRule.ZeroSuffix), 'an empty suffix follows no rule: the whole file'],
];

describe('decideRange', () => {
  it.each(cases)('%j (%s) → %j: %s', (header, dialect, want) => {
    expect(decideRange(header, len, dialect)).toEqual(want);
  });
});

// The download reads the form devices send without a regular expression; every header it reads so must read as the
// general parser reads it, and every other header is left to that parser.
describe('the fast Range reader', () => {
  const digits = fc.stringMatching(/^[0-9]{0,18}$/);
  const header = fc
    .tuple(
      fc.constantFrom('', 'bytes=', 'BYTES=', 'Bytes=', 'bytes= ', ' ', 'bits='),
      digits,
      fc.constantFrom('-', ' - ', '--', '', '=', ','),
      digits,
      fc.constantFrom('', ' ', ',0-1', 'x'),
    )
    .map((parts) => parts.join(''));

  it('reads a header as the general parser does whenever it reads one', () => {
    fc.assert(
      fc.property(fc.oneof(header, fc.string({ unit: fc.constantFrom(...'0123456789-= bytesBYTE,') })), (text) => {
        const fast = plainBounds(text);
        if (fast !== undefined) expect(fast).toEqual(parsedBounds(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the forms devices send, and nothing with spaces, another unit or over 15 digits', () => {
    expect(plainBounds('bytes=0-4095')).toEqual({ unit: true, first: 0, last: 4095 });
    expect(plainBounds('012-34')).toEqual({ unit: false, first: 12, last: 34 });
    for (const other of ['bytes=0-', 'bytes=-5', 'bytes= 0-1', 'BYTES=0-1', '0-1 ', '1234567890123456-1', '0-1,2-3'])
      expect([other, plainBounds(other)]).toEqual([other, undefined]);
  });
});
