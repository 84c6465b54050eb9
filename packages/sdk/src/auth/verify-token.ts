import { decodeBase64, encodeBase64 } from '../crypto/base64.ts';
import { hmac } from '../crypto/hmac.ts';
import { type ParsedToken, readToken } from './parse-token.ts';
import { tokenVersion } from './token.ts';

/** Who a verified token speaks for. */
export interface TokenSubject {
  level: 'product' | 'device' | 'user';
  /** The product it is for; empty for a user-level token, which speaks for every product of the account. */
  productId: string;
  /** Present for a user-level `res` (`userid/{uid}`). */
  userId?: string;
  /** Present for a device-level `res`. */
  deviceName?: string;
  /** The `et` it carried, Unix seconds. */
  expiresAt: number;
}

/** The verdict on an `Authorization` header, with a reason a tester can act on when it fails. */
export type TokenVerdict = { ok: true; subject: TokenSubject } | { ok: false; reason: string };

/** What verification needs from the platform. */
export interface VerifyOptions {
  /** The access key for a product (`deviceName` undefined) or a device; undefined when there is none. */
  keyFor(productId: string, deviceName?: string): string | undefined;
  /** The platform's time, Unix seconds: a token whose `et` is earlier is expired. */
  nowSeconds: number;
  /**
   * The parameter-set versions accepted: `['2018-10-31']` by default (legacy and Studio). The new platform also
   * takes `2022-05-01` (protocol §1.5).
   */
  versions?: readonly string[];
  /**
   * Per version, how far ahead of `nowSeconds` an `et` may be: the new platform refuses a `2022-05-01` token
   * whose `et` is more than ten years ahead ("token expire is too long, max expire limit 10 years").
   */
  maxAheadSeconds?: Readonly<Record<string, number>>;
  /**
   * The `res` levels accepted: product and device by default; the new platform also takes `user`
   * (`userid/{uid}`, signed with the account's key from `userKeyFor`).
   */
  res?: readonly ('product' | 'device' | 'user')[];
  /** The key of the user account `uid`; needed when `res` includes `user`. */
  userKeyFor?(uid: string): string | undefined;
}

const resPattern = /^products\/([A-Za-z0-9]+)(?:\/devices\/([^/]+))?$/;
const userPattern = /^userid\/(\d{1,20})$/;

/**
 * Verifies a OneNET `Authorization` header: format, version, `res`, expiry and signature, comparing signatures
 * in constant time. Used by the mock platform and by the conformance suite's AUTH rules.
 *
 * @example
 * const verdict = await verifyToken(request.headers.get('authorization'), {
 *   keyFor: (productId) => products.get(productId)?.accessKey,
 *   nowSeconds: Math.floor(Date.now() / 1000),
 * });
 * if (!verdict.ok) console.log(verdict.reason); // e.g. 'token expired: et 1537255523 is before platform time …'
 */
export async function verifyToken(header: string | null, options: VerifyOptions): Promise<TokenVerdict> {
  if (!header) return { ok: false, reason: 'no Authorization header' };
  const token = readToken(header);
  if (typeof token === 'string') return { ok: false, reason: `malformed token: ${token}` };
  const versions = options.versions ?? [tokenVersion];
  if (!versions.includes(token.version))
    return { ok: false, reason: `version ${token.version} is not ${versions.join(' or ')}` };
  const levels = options.res ?? ['product', 'device'];
  const user = userPattern.exec(token.res);
  const match = resPattern.exec(token.res);
  if (user && !levels.includes('user'))
    return { ok: false, reason: `res "${token.res}" is a user-level token, which this API does not take` };
  if (!match && !user)
    return {
      ok: false,
      reason: `res "${token.res}" is not products/{pid}, products/{pid}/devices/{name} or userid/{uid}`,
    };
  const [, productId = '', deviceName] = match ?? [];
  const userId = user?.[1];
  if (match && !levels.includes(deviceName ? 'device' : 'product'))
    return {
      ok: false,
      reason: `res "${token.res}" is a ${deviceName ? 'device' : 'product'}-level token, which this API does not take`,
    };
  if (token.et < options.nowSeconds) {
    return { ok: false, reason: `token expired: et ${token.et} is before platform time ${options.nowSeconds}` };
  }
  const maxAhead = options.maxAheadSeconds?.[token.version];
  if (maxAhead !== undefined && token.et > options.nowSeconds + maxAhead) {
    return {
      ok: false,
      reason: `token expire is too long: et ${token.et} is more than ${maxAhead} s after platform time ${options.nowSeconds}`,
    };
  }
  const accessKey = userId === undefined ? options.keyFor(productId, deviceName) : options.userKeyFor?.(userId);
  if (!accessKey)
    return { ok: false, reason: `no ${userId ? 'user' : deviceName ? 'device' : 'product'} for res "${token.res}"` };
  // `method` in any case (LuatOS signs `SHA256`); the signed text may be the method as sent or in lower case.
  const texts = token.methodAsSent === token.method ? [token.method] : [token.methodAsSent, token.method];
  let matched = false;
  for (const text of texts) matched ||= constantTimeEqual(await signOver(token, accessKey, text), token.sign);
  if (!matched) return { ok: false, reason: 'signature does not match' };
  return {
    ok: true,
    subject: {
      level: userId ? 'user' : deviceName ? 'device' : 'product',
      productId,
      expiresAt: token.et,
      ...(deviceName ? { deviceName } : {}),
      ...(userId ? { userId } : {}),
    },
  };
}

// Compares the decoded signatures byte by byte without an early exit, so timing reveals nothing of the key. The
// given one must be written as the signer writes it: base64 whose last character carries spare bits (`…E=` sent as
// `…F=`) decodes to the same bytes, and was taken (issue 29); that depends on the input alone, not on the key.
function constantTimeEqual(expected: string, given: string): boolean {
  let a: Uint8Array;
  let b: Uint8Array;
  try {
    a = decodeBase64(expected);
    b = decodeBase64(given);
  } catch {
    return false;
  }
  if (encodeBase64(b) !== given) return false;
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** `sign` over the token's values with `methodText` written in the signed string (protocol §1.2, §1.5). */
async function signOver(token: ParsedToken, accessKey: string, methodText: string): Promise<string> {
  const message = new TextEncoder().encode(`${token.et}\n${methodText}\n${token.res}\n${token.version}`);
  return encodeBase64(await hmac(token.method, decodeBase64(accessKey), message));
}
