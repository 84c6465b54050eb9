/** Standard base64 with `=` padding, without Node's Buffer so the SDK runs in browsers. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Decodes standard base64; throws a `SyntaxError` naming the problem on anything else. */
export function decodeBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new SyntaxError('not standard base64 (A-Z a-z 0-9 + / with = padding)');
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
