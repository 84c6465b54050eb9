/**
 * @module
 * `Range` and `Content-Range` read in one place, for every side: the platform deciding what to serve, the agent
 * checking what came, the conformance suite judging the journal, the fleet and the console (issue 30: each had its
 * own reading, some by regular expression, some by splitting). The forms are the spec's (`RangeHeader`,
 * `ContentRangeHeader` in `patterns`); what a form means for a file is the platform's (`decideRange`).
 */

/** The bounds a Range header names: `undefined` where it leaves one out (`s-`, `-n`). */
export interface RangeBounds {
  /** It carried the `bytes=` unit (OneNET's own form has none). */
  unit: boolean;
  first: number | undefined;
  last: number | undefined;
}

const general = /^(?:bytes=)?\s*(\d*)\s*-\s*(\d*)\s*$/i;

/**
 * The bounds of a Range header in any form the platform reads (`bytes=s-e`, OneNET's `s-e`, `s-`, `-n`, spaces, a
 * unit in any case); undefined for anything else (several ranges, another unit, garbage).
 *
 * @example
 * rangeBounds('bytes=0-4095'); // { unit: true, first: 0, last: 4095 }
 * rangeBounds('50500-50999'); // { unit: false, first: 50500, last: 50999 }
 */
export function rangeBounds(header: string): RangeBounds | undefined {
  return plainBounds(header) ?? parsedBounds(header);
}

/**
 * The bounds of the form nearly every device sends, `bytes=s-e` or OneNET's `s-e` (digits, no spaces, at most 15
 * digits each), read without a regular expression: a device asks for a fragment per request, so this is the
 * download's hot path. Undefined for any other form, which {@link parsedBounds} reads.
 *
 * @example
 * plainBounds('bytes=0-4095'); // { unit: true, first: 0, last: 4095 }
 */
export function plainBounds(header: string): RangeBounds | undefined {
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

/**
 * The bounds of any form the platform reads (spaces, a unit in any case, an open end); undefined if none.
 *
 * @example
 * parsedBounds('BYTES= 10 -'); // { unit: true, first: 10, last: undefined }
 */
export function parsedBounds(header: string): RangeBounds | undefined {
  const text = header.trim();
  const match = general.exec(text);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  return {
    unit: /^bytes=/i.test(text),
    first: first === '' ? undefined : Number(first),
    last: last === '' ? undefined : Number(last),
  };
}

/** What a `Content-Range: bytes s-e/len` answer says it carries. */
export interface ContentRange {
  start: number;
  end: number;
  length: number;
}

const contentRangeForm = /^bytes (\d+)-(\d+)\/(\d+)$/;

/**
 * The bytes a `Content-Range` names, in the spec's form `bytes s-e/len`; undefined for anything else (none, `*`,
 * another unit).
 *
 * @example
 * contentRange('bytes 0-4095/65536'); // { start: 0, end: 4095, length: 65536 }
 */
export function contentRange(header: string | null | undefined): ContentRange | undefined {
  const match = header ? contentRangeForm.exec(header) : null;
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), length: Number(match[3]) };
}
