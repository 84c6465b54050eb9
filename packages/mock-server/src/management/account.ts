import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { params, reply } from './input.ts';

/** The account that owns every product: its user id, and its key only when asked (`?include=keys`). */
export function getAccount(call: Call, ctx: Context): Response {
  const { uid, accessKey } = ctx.settings.account;
  return reply(200, params(call, 'getAccount').include === 'keys' ? { uid, accessKey } : { uid });
}
