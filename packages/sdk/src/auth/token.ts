import { decodeBase64, encodeBase64 } from '../crypto/base64.ts';
import { hmac, type SignMethod } from '../crypto/hmac.ts';

/**
 * The only parameter-set version the general OTA API accepts (protocol §1.1).
 *
 * @example
 * await signToken({ accessKey, res, et, version: tokenVersion });
 */
export const tokenVersion = '2018-10-31';

/** What a OneNET `Authorization` token is made of. */
export interface TokenParams {
  /** The product's (or, for a device-level `res`, the device's) access key, base64 as the console shows it. */
  accessKey: string;
  /** `products/{pid}` or `products/{pid}/devices/{deviceName}`, unencoded. */
  res: string;
  /** Expiry, Unix seconds. */
  et: number;
  /** HMAC method; `sha1` by default, as in every OneNET example. */
  method?: SignMethod;
  /** Parameter-set version; `2018-10-31` by default. */
  version?: string;
}

/**
 * The `res` of a product-level token.
 *
 * @example
 * productResource('123123'); // 'products/123123'
 */
export function productResource(productId: string): string {
  return `products/${productId}`;
}

/**
 * The `res` of a device-level token.
 *
 * @example
 * deviceResource('123123', 'bench-01'); // 'products/123123/devices/bench-01'
 */
export function deviceResource(productId: string, deviceName: string): string {
  return `products/${productId}/devices/${deviceName}`;
}

/**
 * The `res` of a user-level token (the new platform only, signed with the account's key, protocol §1.5).
 *
 * @example
 * userResource(498670); // 'userid/498670'
 */
export function userResource(uid: number | string): string {
  return `userid/${uid}`;
}

/**
 * Computes `sign`: base64(HMAC_method(base64decode(accessKey), et\nmethod\nres\nversion)) (protocol §1.2).
 *
 * @example
 * await computeSign({ accessKey: 'KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=', res: 'products/123123', et: 1537255523 });
 * // 'lsaPSiiGvEFFjXu5WU7a6IkScqE='
 */
export async function computeSign(params: TokenParams): Promise<string> {
  const { accessKey, res, et, method = 'sha1', version = tokenVersion } = params;
  const message = new TextEncoder().encode(`${et}\n${method}\n${res}\n${version}`);
  return encodeBase64(await hmac(method, decodeBase64(accessKey), message));
}

/**
 * Makes the whole `Authorization` header value, each value URL-encoded as OneNET's table says, in the order of
 * every OneNET example: `version=…&res=…&et=…&method=…&sign=…`.
 *
 * @example
 * await signToken({ accessKey: 'KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=', res: 'products/123123', et: 1537255523 });
 * // 'version=2018-10-31&res=products%2F123123&et=1537255523&method=sha1&sign=lsaPSiiGvEFFjXu5WU7a6IkScqE%3D'
 * @see https://open.iot.10086.cn/doc/v5/fuse/detail/1464 (OneNET token algorithm)
 */
export async function signToken(params: TokenParams): Promise<string> {
  const { res, et, method = 'sha1', version = tokenVersion } = params;
  const sign = await computeSign(params);
  return [
    ['version', version],
    ['res', res],
    ['et', String(et)],
    ['method', method],
    ['sign', sign],
  ]
    .map(([key, value]) => `${key}=${encodeTokenValue(value as string)}`)
    .join('&');
}

// Exactly the eight characters of OneNET's encoding table (protocol §1.3), as the official C code does.
const encoded: Record<string, string> = {
  '+': '%2B',
  ' ': '%20',
  '/': '%2F',
  '?': '%3F',
  '%': '%25',
  '#': '%23',
  '&': '%26',
  '=': '%3D',
};

/**
 * URL-encodes a token value the way OneNET's table lists.
 *
 * @example
 * encodeTokenValue('lsaPSiiGvEFFjXu5WU7a6IkScqE='); // 'lsaPSiiGvEFFjXu5WU7a6IkScqE%3D'
 */
export function encodeTokenValue(value: string): string {
  return value.replace(/[+ /?%#&=]/g, (c) => encoded[c] as string);
}
