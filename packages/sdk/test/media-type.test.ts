import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMediaType, mediaType } from '../src/index.ts';

describe('isMediaType', () => {
  it('reads the forms real servers send: parameters, case, spaces', () => {
    expect(isMediaType('application/octet-stream;charset=UTF-8', 'application/octet-stream')).toBe(true);
    expect(isMediaType(' Application/JSON ; charset=utf-8', 'application/json')).toBe(true);
    expect(isMediaType('application/json', 'application/json')).toBe(true);
    expect(isMediaType('application/jsonp', 'application/json')).toBe(false);
    expect(isMediaType('application/js', 'application/json')).toBe(false);
    expect(isMediaType('text/plain', 'application/json')).toBe(false);
    expect(isMediaType(null, 'application/json')).toBe(false);
    expect(isMediaType('', 'application/json')).toBe(false);
  });

  it('says what comparing mediaType() says, for any value', () => {
    const type = fc.constantFrom('application/json', 'application/octet-stream', 'text/plain');
    const spaces = fc.constantFrom('', ' ', '\t', '  ');
    const value = fc.oneof(
      fc.string(),
      fc
        .tuple(spaces, type, fc.boolean(), spaces, fc.constantFrom('', ';charset=UTF-8', '; q=1', 'x'))
        .map(([before, t, upper, after, rest]) => `${before}${upper ? t.toUpperCase() : t}${after}${rest}`),
    );
    fc.assert(
      fc.property(value, type, (contentType, wanted) => {
        expect(isMediaType(contentType, wanted)).toBe(mediaType(contentType) === wanted);
      }),
      { numRuns: 2000 },
    );
  });
});
