import type { SignMethod } from '../crypto/hmac.ts';
import { signToken } from './token.ts';

/** Options of a renewing token source. */
export interface TokenSourceOptions {
  accessKey: string;
  res: string;
  method?: SignMethod;
  /** Parameter-set version; `2018-10-31` by default (the new platform also takes `2022-05-01`, protocol §1.5). */
  version?: string;
  /**
   * Lifetime of each token, seconds. Seven days by default: long enough that a test moving the platform clock
   * past the 48 h upgrade-token lifetime does not also expire the device's credentials, short enough that a
   * leaked header does not work for years (OneNET's own examples sign until 2050).
   */
  lifetimeSeconds?: number;
  /** Sign a new token once less than this is left; one day by default. */
  renewBeforeSeconds?: number;
  /** Current time in milliseconds; `Date.now` by default. */
  now?: () => number;
}

/** Hands out a valid `Authorization` value, signing a new one only when the current one is close to expiry. */
export interface TokenSource {
  /** A header value valid for at least `renewBeforeSeconds` more. */
  get(): Promise<string>;
}

/**
 * @example
 * const tokens = createTokenSource({ accessKey, res: productResource('123123') });
 * fetch(url, { headers: { Authorization: await tokens.get() } });
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { lifetimeSeconds = 7 * 86_400, renewBeforeSeconds = 86_400, now = Date.now } = options;
  if (renewBeforeSeconds >= lifetimeSeconds)
    throw new RangeError('renewBeforeSeconds must be less than lifetimeSeconds');
  let current: { header: string; et: number } | undefined;
  return {
    async get() {
      const nowSeconds = Math.floor(now() / 1000);
      if (!current || current.et - nowSeconds < renewBeforeSeconds) {
        const et = nowSeconds + lifetimeSeconds;
        current = { et, header: await signToken({ ...options, et }) };
      }
      return current.header;
    },
  };
}
