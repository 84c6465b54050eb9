import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { noContent, params, reply } from '../management/input.ts';

export function getJournal(call: Call, ctx: Context): Response {
  const p = params(call, 'getJournal');
  return reply(
    200,
    ctx.journal.query({
      ...(p.devId !== undefined ? { devId: p.devId as number } : {}),
      ...(p.operation !== undefined ? { operation: p.operation as string } : {}),
      ...(p.since !== undefined ? { since: p.since as number } : {}),
      ...(p.limit !== undefined ? { limit: p.limit as number } : {}),
    }),
  );
}

export function clearJournal(_call: Call, ctx: Context): Response {
  ctx.journal.clear();
  return noContent();
}
