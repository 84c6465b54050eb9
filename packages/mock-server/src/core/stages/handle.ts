import type { Call, Handler } from '../call.ts';
import type { Context } from '../context.ts';
import { applyRequestFaults } from '../faults/actions.ts';
import type { NowOrLater } from '../now-or-later.ts';
import { failure } from './failure.ts';

// Stage 4 of a request (admit, read, authenticate, handle, validate, journal, shape): the request faults planted for
// it, then its operation's handler.

/** Looks up a handler by canonical operation. */
export type HandlerOf = (operation: string) => Handler;

/** The handler's answer, or the request fault's; anything thrown becomes {@link failure}'s answer. */
export function handle(ctx: Context, handlerOf: HandlerOf, call: Call): NowOrLater<Response> {
  const handler = handlerOf(call.route.canonical);
  try {
    const answered =
      call.faults.length > 0
        ? applyRequestFaults(ctx, call).then((faulted) => faulted ?? handler(call, ctx))
        : handler(call, ctx);
    return answered instanceof Promise ? answered.catch((error: unknown) => failure(error, call)) : answered;
  } catch (error) {
    return failure(error, call);
  }
}
