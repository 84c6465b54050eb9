import type { components } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { ClockError, ClockRangeError } from '../core/domain/clock.ts';
import { runDueEvents } from '../core/domain/scheduler.ts';
import { ProblemError } from '../core/http/responses.ts';
import { jsonBody, reply } from '../management/input.ts';

type Schemas = components['schemas'];

function clockBody(ctx: Context): Schemas['Clock'] {
  const now = ctx.clock.now();
  return { mode: ctx.clock.mode, now: new Date(now).toISOString(), epochMs: now };
}

export function getClock(_call: Call, ctx: Context): Response {
  return reply(200, clockBody(ctx));
}

/** Sets the virtual clock, then runs whatever became due. */
export function setClock(call: Call, ctx: Context): Response {
  const { now } = jsonBody<Schemas['ClockSet']>(call, 'setClock');
  return move(ctx, () => ctx.clock.set(Date.parse(now)));
}

/** Advances the virtual clock, then runs due schedules and deadlines in time order. */
export function advanceClock(call: Call, ctx: Context): Response {
  const { ms } = jsonBody<Schemas['ClockAdvance']>(call, 'advanceClock');
  return move(ctx, () => ctx.clock.advance(ms));
}

function move(ctx: Context, change: () => void): Response {
  moveClock(ctx, change);
  runDueEvents(ctx);
  return reply(200, clockBody(ctx));
}

/** Moves the clock, answering a real clock with 409 and a time no `Date` can show with 400. */
export function moveClock(ctx: Context, change: () => void): void {
  try {
    change();
  } catch (error) {
    if (error instanceof ClockError) throw new ProblemError('InvalidState', error.message, { state: ctx.clock.mode });
    if (error instanceof ClockRangeError) throw new ProblemError('InvalidRequest', error.message);
    throw error;
  }
}
