import { type Generation, tokenRules } from '@onenet-ota/openapi/protocol';
import { type TokenSubject, verifyToken } from '@onenet-ota/sdk';
import type { Call, DeviceAuth } from '../call.ts';
import type { Context } from '../context.ts';
import type { NowOrLater } from '../now-or-later.ts';
import { deviceNamed } from './device-named.ts';
import type { DeviceRecord, PlatformState } from './records.ts';

/** The verdict the authenticate stage kept on a device call; a handler it did not run for is a platform bug. */
export function authenticated(call: Call): DeviceAuth {
  const kept = call.deviceAuth;
  if (!kept) throw new Error(`the authenticate stage did not run for ${call.route.operationId}`);
  if ('failure' in kept) throw kept.failure;
  return kept;
}

/**
 * Checks the `Authorization` token of a legacy device call: valid for this device's product (product-level `res`)
 * or for this very device (device-level `res`), `et` not before platform time. Returns the device, or the reason
 * it is refused (errno 1 "鉴权失败（当设备不存在时）" on every endpoint).
 */
export function authenticateDevice(call: Call, ctx: Context, devId: unknown): NowOrLater<DeviceAuth> {
  const device = typeof devId === 'number' ? ctx.state.devices.get(devId) : undefined;
  if (!device) return { reason: `no device with dev_id ${String(devId)}` };
  return authenticateAs(call, ctx, device, 'legacy');
}

/**
 * Checks a Studio or new-platform call, which names the device by product id and device name in its path, with the
 * tokens that generation accepts (`tokenRules`, protocol §1.5).
 */
export function authenticateNamed(call: Call, ctx: Context, generation: Generation): NowOrLater<DeviceAuth> {
  const { pro_id: productId = '', dev_name: name = '' } = call.route.params;
  const device = deviceNamed(ctx.state, productId, name);
  if (!device) return { reason: `no device ${name} in product ${productId}` };
  return authenticateAs(call, ctx, device, generation);
}

/** Judged at once when the header was verified before (a device's every call but its first), else when verified. */
function authenticateAs(
  call: Call,
  ctx: Context,
  device: DeviceRecord,
  generation: Generation,
): NowOrLater<DeviceAuth> {
  call.devId = device.devId;
  const accepted = ctx.state.products.get(device.productId)?.generations;
  if (accepted && !accepted.includes(generation))
    return { reason: `product ${device.productId} does not accept ${generation} devices (it takes ${accepted})` };
  // A remembered header is judged now, without a closure; a new one when it is verified.
  const verdict = verifyCached(ctx, call.request.headers.get('authorization'), generation);
  return verdict instanceof Promise ? verdict.then((v) => judged(call, device, v)) : judged(call, device, verdict);
}

/** Whether a verified token speaks for `device`; the call's `auth` says how it was judged. */
function judged(call: Call, device: DeviceRecord, verdict: RuledVerdict): DeviceAuth {
  if (!verdict.ok) return refused(call, verdict.reason);
  if (verdict.fieldRefuses) {
    call.tolerated ??= [];
    call.tolerated.push({ pointer: '#/header/authorization', message: verdict.fieldRefuses });
  }
  const { productId, deviceName, level } = verdict.subject;
  // A user-level token speaks for every product of the account, and the platform has one account.
  if (level !== 'user') {
    if (productId !== device.productId)
      return refused(call, `token is for product ${productId}, the device is in ${device.productId}`);
    if (deviceName !== undefined && deviceName !== device.name)
      return refused(call, `token is for device ${deviceName}, not ${device.name}`);
  }
  call.auth = 'accepted';
  return { device };
}

function refused(call: Call, reason: string): DeviceAuth {
  call.auth = 'refused';
  return { reason };
}

/**
 * A verdict under a generation's rules. `fieldRefuses` is set on a token taken only by the lenient rules: what the
 * field is known to refuse of it, for the journal's `tolerated`.
 */
export type RuledVerdict = { ok: false; reason: string } | { ok: true; subject: TokenSubject; fieldRefuses?: string };

// A device sends the same header for every request until it renews it: remember good signatures, so the hot
// path (a token check and a fragment per step) pays one HMAC per header, not per request. Expiry and the key the
// header was checked against are still compared on every use; the generation is part of the key, because each
// accepts other tokens.
// Kept per generation, by the header itself: no key string is built per request.
const verified = new WeakMap<
  Context,
  Map<Generation, Map<string, { verdict: RuledVerdict & { ok: true }; key: string }>>
>();

/**
 * Verifies a header as `verifyToken` does with a generation's rules (`tokenRules`), remembering up to 100 000 per
 * generation that verified. A remembered header is answered at once, without a promise: the download path stays
 * synchronous. Where the generation has rules for what the field refuses (the new platform), a token only the
 * lenient rules take is refused in `strict` mode with the field's evidence, and taken with it in `lenient` mode.
 */
export function verifyCached(
  ctx: Context,
  header: string | null,
  generation: Generation = 'legacy',
): RuledVerdict | Promise<RuledVerdict> {
  const cache = verifiedHeaders(ctx, generation);
  const hit = header ? cache.get(header) : undefined;
  const nowSeconds = Math.floor(ctx.clock.now() / 1000);
  if (hit && hit.verdict.subject.expiresAt >= nowSeconds && subjectKey(ctx, hit.verdict.subject) === hit.key) {
    return hit.verdict;
  }
  return ruledVerdict(ctx, header, generation, nowSeconds).then((verdict) => {
    if (verdict.ok && header) {
      if (cache.size >= 100_000) cache.clear();
      cache.set(header, { verdict, key: subjectKey(ctx, verdict.subject) ?? '' });
    }
    return verdict;
  });
}

async function ruledVerdict(
  ctx: Context,
  header: string | null,
  generation: Generation,
  nowSeconds: number,
): Promise<RuledVerdict> {
  const rules: GenerationRules = tokenRules[generation];
  const base = {
    nowSeconds,
    keyFor: (productId: string, deviceName?: string) => keyFor(ctx.state, productId, deviceName),
    userKeyFor: (uid: string) =>
      uid === String(ctx.settings.account.uid) ? ctx.settings.account.accessKey : undefined,
    versions: rules.versions,
  };
  const strict = () => verifyToken(header, { ...base, res: rules.res, maxAheadSeconds: rules.maxAheadSeconds ?? {} });
  if (!rules.lenient || !rules.fieldRefuses) return strict();
  const lenient = () => verifyToken(header, { ...base, ...rules.lenient });
  const field = `OneNET's new platform is known to refuse ${rules.fieldRefuses}`;
  if (ctx.settings.tokenRules === 'strict') {
    const verdict = await strict();
    if (verdict.ok || !(await lenient()).ok) return verdict;
    return { ok: false, reason: `${verdict.reason}; ${field} (ota-mock --token-rules lenient takes it)` };
  }
  const verdict = await lenient();
  if (!verdict.ok) return verdict;
  const refusal = await strict();
  return refusal.ok ? verdict : { ...verdict, fieldRefuses: `${refusal.reason}; ${field}` };
}

/** A generation's token rules as the spec writes them (`x-onenet-token-rules`). */
interface GenerationRules {
  versions: readonly string[];
  maxAheadSeconds?: Readonly<Record<string, number>>;
  res: readonly ('product' | 'device' | 'user')[];
  fieldRefuses?: string;
  lenient?: { maxAheadSeconds: Readonly<Record<string, number>>; res: readonly ('product' | 'device' | 'user')[] };
}

/** The headers verified for a platform under a generation's rules. */
function verifiedHeaders(ctx: Context, generation: Generation) {
  let generations = verified.get(ctx);
  if (!generations) {
    generations = new Map();
    verified.set(ctx, generations);
  }
  let cache = generations.get(generation);
  if (!cache) {
    cache = new Map();
    generations.set(generation, cache);
  }
  return cache;
}

/** The key a verified token was signed with: the account's for a user-level one, else the product's or device's. */
function subjectKey(ctx: Context, subject: TokenSubject): string | undefined {
  return subject.level === 'user'
    ? ctx.settings.account.accessKey
    : keyFor(ctx.state, subject.productId, subject.deviceName);
}

/** The key a token for this `res` must be signed with: the product's, or the named device's. */
export function keyFor(state: PlatformState, productId: string, deviceName?: string): string | undefined {
  if (deviceName === undefined) return state.products.get(productId)?.accessKey;
  return deviceNamed(state, productId, deviceName)?.accessKey;
}
