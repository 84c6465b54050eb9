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
