import { type Call, endListeners } from '../call.ts';
import type { Context } from '../context.ts';
import { shapeResponse } from '../faults/actions.ts';
import { awaitWholeEnd, takeWhole, WholeAnswer } from '../http/whole-answer.ts';
import { failure } from './failure.ts';

// Stage 7 of a request (admit, read, authenticate, handle, validate, journal, shape): the body faults shape the answer,
// in the form the door asked for, and what the request changed is written to a durable store before it goes out.

/** How the door takes answers (`FetchExtra.wholeBodies`, `lazyBodies`): what `shapeResponse` hands it. */
export type AnswerMode = 'whole' | 'lazy' | 'plain';

/**
 * An answer nothing shapes (a control call's, the console's, one given before a handler ran): a door that writes
 * whole bodies gets it as one, its end reported to the call's listeners, instead of a stream over its bytes (a
 * stream costs a `GET /__mock/clock` 40 µs more than the answer itself).
 */
export function unshaped(response: Response, mode: AnswerMode, call?: Call): Response {
  if (mode === 'whole' && response instanceof WholeAnswer)
    awaitWholeEnd(response, call ? endListeners(call) : noListeners);
  return response;
}

const noListeners = () => {};

/** Shapes a journaled answer and writes what it changed, now and again when a streamed body ends. */
export function shape(ctx: Context, call: Call, response: Response, mode: AnswerMode): Response {
  // A streamed body changes the device's progress when it ends: that is written too.
  if (ctx.persist)
    call.onBodyEnd.push(() => {
      try {
        ctx.persist?.();
      } catch {
        // The store refused the write; the change stays marked and the next request's sync retries it.
      }
    });
  return persisted(ctx, call, shapeResponse(call, response, mode));
}

/**
 * With a durable store, writes what the request changed before the answer goes out: an acknowledged write is on
 * disk. If the store fails, the answer says so (as any platform failure) rather than claim what was not kept.
 */
export function persisted(ctx: Context, call: Call, response: Response): Response {
  if (!ctx.persist) return response;
  try {
    ctx.persist();
    return response;
  } catch (error) {
    takeWhole(response)?.end({ bytesSent: 0, aborted: true });
    void response.body?.cancel();
    return failure(error, call);
  }
}
