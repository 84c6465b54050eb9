import fc from 'fast-check';
import { expect, it } from 'vitest';
import { isDecimal } from '../src/core/http/input.ts';

// A query parameter the spec types as a number is read as one when it is written `-?digits(.digits)?`, and left as
// text otherwise, for its schema to refuse in the protocol's terms. The scan must say what that pattern says.

const pattern = /^-?\d+(\.\d+)?$/;

it('reads as a number exactly what -?digits(.digits)? matches', () => {
  for (const raw of ['0', '32981907', '-1', '1.5', '-0.25', '', '-', '1.', '.5', '1.2.3', '+1', '1e3', ' 1', '١'])
    expect([raw, isDecimal(raw)]).toEqual([raw, pattern.test(raw)]);
  const numberish = fc.stringMatching(/^[-+.\de ]{0,8}$/);
  fc.assert(
    fc.property(fc.oneof(numberish, fc.string()), (raw) => isDecimal(raw) === pattern.test(raw)),
    { numRuns: 5000 },
  );
});
