/**
 * The media type of a `Content-Type` value without its parameters, lower-cased (RFC 9110 §8.3.1): what a reader
 * compares, since OneNET's new platform sends `application/octet-stream;charset=UTF-8` for package bytes.
 *
 * @example
 * mediaType('application/octet-stream;charset=UTF-8'); // 'application/octet-stream'
 */
export function mediaType(contentType: string | null | undefined): string | undefined {
  const essence = contentType?.split(';')[0]?.trim().toLowerCase();
  return essence || undefined;
}

/**
 * Whether a `Content-Type` value names `type` (given lower-case), parameters and case aside: what
 * `mediaType(contentType) === type` says of a header value (whose only blanks are spaces and tabs), without making a
 * string: for readers on every request.
 *
 * @example
 * isMediaType('Application/JSON; charset=utf-8', 'application/json'); // true
 */
export function isMediaType(contentType: string | null | undefined, type: string): boolean {
  if (!contentType) return false;
  let at = skipSpace(contentType, 0);
  for (let i = 0; i < type.length; i++, at++) {
    const unit = contentType.charCodeAt(at);
    // A-Z compared as a-z (`| 0x20`); every other character as it is.
    if ((unit >= 0x41 && unit <= 0x5a ? unit | 0x20 : unit) !== type.charCodeAt(i)) return false;
  }
  at = skipSpace(contentType, at);
  return at === contentType.length || contentType.charCodeAt(at) === 0x3b; // `;`
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09) i++;
  return i;
}
