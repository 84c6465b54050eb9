import { ModuleType, TaskingErrno } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { authenticated } from '../core/domain/device-auth.ts';
import { callOutcome } from '../core/domain/state-machine.ts';
import { activeDeviceTask } from '../core/domain/tasks.ts';
import { isExpired } from '../core/domain/tokens.ts';
import { readParameters } from '../core/http/input.ts';
import { answer } from './answer.ts';
import { taskInfo } from './task-info.ts';

/**
 * `GET /ota/south/tasking` (protocol §2.7): the task of a device that is downloading or upgrading, with the token it
 * already holds (never a new one); 4 when there is none, 12 when its token expired.
 */
export function getTasking(call: Call, ctx: Context): Response {
  const op = 'getTasking';
  const { value: p, errors } = readParameters(op, call.url.searchParams, call.route.params);
  const auth = authenticated(call);
  if ('reason' in auth) return answer(call, op, TaskingErrno.AuthFailed, { note: auth.reason });
  if (errors.length > 0)
    return answer(call, op, TaskingErrno.BadRequest, {
      note: errors.map((e) => `${e.pointer} ${e.message}`).join('; '),
    });
  const active = activeDeviceTask(ctx, auth.device.devId, p.type === ModuleType.Fota ? 'fota' : 'sota');
  if (!active)
    return answer(call, op, TaskingErrno.TokenNotFound, { note: 'no task downloading or upgrading for this module' });
  const outcome = callOutcome(active.deviceTask.state, 'getTasking');
  if (outcome.errno !== TaskingErrno.Success)
    return answer(call, op, outcome.errno ?? TaskingErrno.TokenNotFound, {
      note: `device is ${active.deviceTask.state}`,
    });
  const token = active.deviceTask.token ? ctx.state.tokens.get(active.deviceTask.token) : undefined;
  if (!token) return answer(call, op, TaskingErrno.TokenNotFound, { note: 'the device never received a token' });
  if (isExpired(ctx, token)) return answer(call, op, TaskingErrno.TokenExpired, { note: "the device's token expired" });
  return answer(call, op, TaskingErrno.Success, { data: taskInfo(ctx, active.task, token, p.cdn === true, call.url) });
}
