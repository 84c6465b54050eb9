import type { SignMethod } from '../crypto/hmac.ts';

/** A parsed `Authorization` header: every value percent-decoded. */
export interface ParsedToken {
  version: string;
  res: string;
  et: number;
  /** The signing method, lower case. */
  method: SignMethod;
  /** `method` as the header wrote it (`SHA256`): some clients sign that text rather than the lower-case one. */
  methodAsSent: string;
  sign: string;
}

/**
 * Why a header is not a OneNET token.
 *
 * @example
 * try { parseToken('res=x'); } catch (error) { if (error instanceof TokenFormatError) console.log(error.message); }
 */
export class TokenFormatError extends Error {
  override name = 'TokenFormatError';
}

const methods: readonly string[] = ['md5', 'sha1', 'sha256'];

/**
 * Parses an `Authorization` value in any order of keys. Values are percent-decoded; a raw `+` stays a `+`
 * (it can only come from base64, never means a space), and raw `/` and trailing `=` are accepted because the
 * OTA docs' own curl examples send values unencoded (protocol §1.3). `method` is matched case-insensitively.
 *
 * @example
 * parseToken('version=2018-10-31&res=products%2F123123&et=1537255523&method=sha1&sign=lsaPSiiGvEFFjXu5WU7a6IkScqE%3D').res;
 * // 'products/123123'
 */
export function parseToken(header: string): ParsedToken {
  const read = readToken(header);
  if (typeof read === 'string') throw new TokenFormatError(read);
  return read;
}

/**
 * {@link parseToken} without throwing: the token, or why the header is none, in words. The platform reads every
 * device's header with it: an Error's stack costs 9 µs, more than the rest of a refused call.
 *
 * @example
 * const token = readToken(header);
 * if (typeof token === 'string') console.log(`not a OneNET token: ${token}`);
 */
export function readToken(header: string): ParsedToken | string {
  const fields = new Map<string, string>();
  for (const part of header.trim().split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return `"${part}" is not key=value`;
    const key = part.slice(0, eq);
    if (fields.has(key)) return `"${key}" appears twice`;
    fields.set(key, percentDecode(part.slice(eq + 1)));
  }
  const missing = ['version', 'res', 'et', 'method', 'sign'].filter((key) => !fields.get(key));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const et = fields.get('et') as string;
  if (!/^[0-9]{1,12}$/.test(et)) return `et "${et}" is not Unix seconds`;
  const methodAsSent = fields.get('method') as string;
  const method = methodAsSent.toLowerCase();
  if (!methods.includes(method)) return `method "${method}" is not md5, sha1 or sha256`;
  return {
    version: fields.get('version') as string,
    res: fields.get('res') as string,
    et: Number(et),
    method: method as SignMethod,
    methodAsSent,
    sign: fields.get('sign') as string,
  };
}

function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // A stray `%` that starts no escape: the value was sent raw.
    return value;
  }
}
