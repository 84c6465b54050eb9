import { type TokenSubject, type TokenVerdict, verifyToken } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import type { DeviceRecord } from '../core/records.ts';

/**
 * Checks the `Authorization` token of a device call: valid for this device's product (product-level `res`) or
 * for this very device (device-level `res`), `et` not before platform time. Returns the device, or the reason
 * it is refused (errno 1 "鉴权失败（当设备不存在时）" on every endpoint).
 */
export async function authenticateDevice(
  call: Call,
  ctx: Context,
  devId: unknown,
): Promise<{ device: DeviceRecord } | { reason: string }> {
  const device = typeof devId === 'number' ? ctx.state.devices.get(devId) : undefined;
  if (!device) return { reason: `no device with dev_id ${String(devId)}` };
  call.devId = device.devId;
  const refused = (reason: string) => {
    call.auth = 'refused';
    return { reason };
  };
  const verdict = await verifyCached(ctx, call.request.headers.get('authorization'));
  if (!verdict.ok) return refused(verdict.reason);
  const { productId, deviceName } = verdict.subject;
  if (productId !== device.productId)
    return refused(`token is for product ${productId}, the device is in ${device.productId}`);
  if (deviceName !== undefined && deviceName !== device.name)
    return refused(`token is for device ${deviceName}, not ${device.name}`);
  call.auth = 'accepted';
  return { device };
}

// A device sends the same header for every request until it renews it: remember good signatures, so the hot
// path (a token check and a fragment per step) pays one HMAC per header, not per request. Expiry and the key the
// header was checked against are still compared on every use.
const verified = new WeakMap<Context, Map<string, { subject: TokenSubject; key: string }>>();

/** Verifies a header as `verifyToken` does, remembering up to 100 000 headers that verified. */
export async function verifyCached(ctx: Context, header: string | null): Promise<TokenVerdict> {
  let cache = verified.get(ctx);
  if (!cache) {
    cache = new Map();
    verified.set(ctx, cache);
  }
  const hit = header ? cache.get(header) : undefined;
  const nowSeconds = Math.floor(ctx.clock.now() / 1000);
  if (
    hit &&
    hit.subject.expiresAt >= nowSeconds &&
    keyFor(ctx, hit.subject.productId, hit.subject.deviceName) === hit.key
  ) {
    return { ok: true, subject: hit.subject };
  }
  const verdict = await verifyToken(header, {
    nowSeconds,
    keyFor: (productId, deviceName) => keyFor(ctx, productId, deviceName),
  });
  if (verdict.ok && header) {
    if (cache.size >= 100_000) cache.clear();
    cache.set(header, {
      subject: verdict.subject,
      key: keyFor(ctx, verdict.subject.productId, verdict.subject.deviceName) ?? '',
    });
  }
  return verdict;
}

/** The key a token for this `res` must be signed with: the product's, or the named device's. */
export function keyFor(ctx: Context, productId: string, deviceName?: string): string | undefined {
  if (deviceName === undefined) return ctx.state.products.get(productId)?.accessKey;
  for (const device of ctx.state.devices.values()) {
    if (device.productId === productId && device.name === deviceName) return device.accessKey;
  }
  return undefined;
}
