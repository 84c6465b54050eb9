import { describe, expect, it } from 'vitest';
import { contentRange, rangeBounds } from '../src/index.ts';

// The one reading of Range and Content-Range every side uses (the platform's fast reader is checked against the
// general one in mock-server's range.test.ts).
describe('rangeBounds', () => {
  it.each([
    ['bytes=0-4095', { unit: true, first: 0, last: 4095 }],
    ['50500-50999', { unit: false, first: 50500, last: 50999 }],
    ['bytes=900-', { unit: true, first: 900, last: undefined }],
    ['bytes=-100', { unit: true, first: undefined, last: 100 }],
    ['Bytes = 1 - 2', undefined],
    ['bytes= 1 - 2', { unit: true, first: 1, last: 2 }],
    ['bytes=0-1,5-6', undefined],
    ['lines=1-2', undefined],
  ])('reads %j', (header, want) => {
    expect(rangeBounds(header)).toEqual(want);
  });
});

describe('contentRange', () => {
  it.each([
    ['bytes 0-4095/65536', { start: 0, end: 4095, length: 65536 }],
    ['bytes */65536', undefined],
    ['bytes 0-4095/*', undefined],
    ['items 0-1/2', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('reads %j', (header, want) => {
    expect(contentRange(header)).toEqual(want);
  });
});
