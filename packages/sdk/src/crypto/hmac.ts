import { Md5 } from './md5.ts';

/** The signing methods OneNET accepts, lower case as the docs write them. */
export type SignMethod = 'md5' | 'sha1' | 'sha256';

const webCryptoHash = { sha1: 'SHA-1', sha256: 'SHA-256' } as const;

/**
 * HMAC of `message` under `key` with the given method. SHA-1/256 use WebCrypto (Node ≥ 20 and browsers);
 * HMAC-MD5, which WebCrypto lacks, is built from `Md5` per RFC 2104.
 */
export async function hmac(method: SignMethod, key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  if (method === 'md5') return hmacMd5(key, message);
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    key as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: webCryptoHash[method] },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, message as Uint8Array<ArrayBuffer>));
}

function hmacMd5(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? new Md5().update(key).digest() : key);
  const inner = new Md5()
    .update(block.map((b) => b ^ 0x36))
    .update(message)
    .digest();
  return new Md5()
    .update(block.map((b) => b ^ 0x5c))
    .update(inner)
    .digest();
}
