import { DevInfoErrno } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import { bodyText } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { verifyCached } from '../core/domain/device-auth.ts';
import { answer } from './answer.ts';

/**
 * `GET /ota/devInfo` (protocol §2.9): the device id for a product's device identifier. OneNET documents a GET with
 * the JSON body `{"pid", "authInfo"}`; the query parameters of the spec and that body are both accepted.
 * Needs a product-level token for `pid`.
 */
export async function getDeviceId(call: Call, ctx: Context): Promise<Response> {
  const op = 'getDeviceId';
  const query = call.url.searchParams;
  const body = parseBody(bodyText(call));
  const pid = query.get('pid') ?? (body.pid === undefined ? null : String(body.pid));
  const authInfo = query.get('authInfo') ?? (typeof body.authInfo === 'string' ? body.authInfo : null);
  if (!pid || !authInfo) return answer(call, op, DevInfoErrno.BadRequest, { note: 'pid and authInfo are required' });
  const verdict = await verifyCached(ctx, call.request.headers.get('authorization'));
  call.auth = 'refused';
  if (!verdict.ok) return answer(call, op, DevInfoErrno.AuthFailed, { note: verdict.reason });
  if (verdict.subject.level !== 'product' || verdict.subject.productId !== pid) {
    return answer(call, op, DevInfoErrno.AuthFailed, { note: `needs a product-level token for product ${pid}` });
  }
  call.auth = 'accepted';
  for (const device of ctx.state.devices.values()) {
    if (device.productId === pid && device.authInfo === authInfo) {
      call.devId = device.devId;
      return answer(call, op, DevInfoErrno.Success, { data: { dev_id: String(device.devId) } });
    }
  }
  return answer(call, op, DevInfoErrno.AuthFailed, { note: `no device with authInfo ${authInfo} in product ${pid}` });
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
