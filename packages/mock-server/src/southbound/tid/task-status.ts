import type { Call, Handler } from '../../core/call.ts';
import type { Context } from '../../core/context.ts';
import { authenticated } from '../../core/domain/device-auth.ts';
import { readParameters } from '../../core/http/input.ts';
import type { Dialect } from './dialect.ts';
import { reply } from './reply.ts';
import { taskOf, tidStatus } from './task-of.ts';

/** `GET …/{pro_id}/{dev_name}/{tid}/check` (protocol §3, §4.3): the device's status 1–6 in task `tid`. */
export function checkTaskStatusVia(dialect: Dialect): Handler {
  return (call: Call, ctx: Context) => {
    const op = dialect.op.checkTaskStatus;
    const auth = authenticated(call);
    if ('reason' in auth) return reply(call, op, dialect.code.AuthFailed, { note: auth.reason });
    const { value: p, errors } = readParameters(op, call.url.searchParams, call.route.params);
    if (errors.length > 0) return reply(call, op, dialect.code.BadRequest, { note: `tid ${call.route.params.tid}` });
    const found = taskOf(ctx, auth.device, p.tid);
    if (!found) return reply(call, op, dialect.code.NoTask, { note: `${auth.device.name} is not in task ${p.tid}` });
    return reply(call, op, dialect.code.Success, { data: { status: tidStatus(found.deviceTask) } });
  };
}
