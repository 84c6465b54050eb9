import { Errno } from '@onenet-ota/sdk';
import type { Call, Handler } from '../../core/call.ts';
import { bodyJson, bodyText } from '../../core/call.ts';
import type { Context } from '../../core/context.ts';
import { readJsonBody, readParameters } from '../../core/input.ts';
import { applyCode } from '../apply-code.ts';
import { authenticateNamed } from '../authenticate.ts';
import type { Dialect } from './dialect.ts';
import { reply } from './reply.ts';
import { taskOf } from './task-of.ts';

/**
 * `POST …/{pro_id}/{dev_name}/{tid}/status` with `{step}` (protocol §3, §4.5): the legacy state machine's rules for
 * steps and codes; 20, 21 and 22 mean what they mean there. A code the operation's body schema refuses (208 on the
 * new platform) or no code at all is a request parameter error.
 */
export function reportStatusVia(dialect: Dialect): Handler {
  return async (call: Call, ctx: Context) => {
    const op = dialect.op.reportStatus;
    const auth = await authenticateNamed(call, ctx, dialect.generation);
    if ('reason' in auth) return reply(call, op, dialect.code.AuthFailed, { note: auth.reason });
    const step = (bodyJson(call) as { step?: unknown } | undefined)?.step;
    const body = readJsonBody(op, bodyText(call));
    if (typeof step !== 'number' || body.errors.length > 0)
      return reply(call, op, dialect.code.BadRequest, {
        note: `body needs {"step": N} with a step or status code of this generation; ${body.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
      });
    const { value: p } = readParameters(op, call.url.searchParams, call.route.params);
    const found = taskOf(ctx, auth.device, p.tid);
    if (!found) return reply(call, op, dialect.code.NoTask, { note: `${auth.device.name} is not in task ${p.tid}` });
    const { task, deviceTask } = found;
    const verdict = applyCode(ctx, task, deviceTask, step);
    if ('unknown' in verdict)
      return reply(call, op, dialect.code.BadRequest, { note: `${step} is not a step or code` });
    if ('refused' in verdict)
      return reply(call, op, dialect.code[meaningOf[verdict.refused]], {
        note: `step ${step} is not accepted while ${deviceTask.state}`,
      });
    return reply(call, op, dialect.code.Success);
  };
}

// The state machine refuses codes with the legacy errnos; each dialect has a code of the same meaning.
const meaningOf = {
  [Errno.TaskFinished]: 'TaskFinished',
  [Errno.InvalidOperation]: 'InvalidOperation',
  [Errno.TaskCanceled]: 'TaskCanceled',
} as const;
