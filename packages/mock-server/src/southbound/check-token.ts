import { TokenCheckErrno } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { authenticated } from '../core/domain/device-auth.ts';
import { deviceTaskKeyOf } from '../core/domain/records.ts';
import { callOutcome } from '../core/domain/state-machine.ts';
import { moveDevice } from '../core/domain/tasks.ts';
import { isExpired } from '../core/domain/tokens.ts';
import { answer } from './answer.ts';

/**
 * `GET /ota/south/download/{token}/check` (protocol §2.3), in the order the spec documents: unknown → 18, other
 * device → 4, replaced → 15, older than 48 h → 12, then what the device's state allows (19, 20, 22, 17), and
 * pending → downloading on success.
 */
export function checkToken(call: Call, ctx: Context): Response {
  const op = 'checkToken';
  const auth = authenticated(call);
  if ('reason' in auth) return answer(call, op, TokenCheckErrno.AuthFailed, { note: auth.reason });
  const tokenText = call.route.params.token ?? '';
  const token = ctx.state.tokens.get(tokenText);
  if (!token || token.revoked)
    return answer(call, op, TokenCheckErrno.WrongToken, { note: `token ${tokenText} was never issued or was revoked` });
  if (token.devId !== auth.device.devId)
    return answer(call, op, TokenCheckErrno.TokenDeviceMismatch, { note: `token belongs to device ${token.devId}` });
  if (token.supersededBy)
    return answer(call, op, TokenCheckErrno.TokenSuperseded, { note: `token was replaced by ${token.supersededBy}` });
  if (isExpired(ctx, token))
    return answer(call, op, TokenCheckErrno.TokenExpired, { note: 'token is older than its lifetime' });

  const task = ctx.state.tasks.get(token.taskId);
  const deviceTask = ctx.state.deviceTasks.get(deviceTaskKeyOf(token));
  if (!task || !deviceTask)
    return answer(call, op, TokenCheckErrno.TaskFinished, { note: 'the task no longer exists' });
  const outcome = callOutcome(deviceTask.state, 'checkToken');
  if (outcome.errno !== TokenCheckErrno.Success)
    return answer(call, op, outcome.errno ?? TokenCheckErrno.InternalError, { note: `device is ${deviceTask.state}` });
  if (outcome.to && outcome.to !== deviceTask.state) moveDevice(ctx, task, deviceTask, outcome.to);
  deviceTask.lastErrno = TokenCheckErrno.Success;
  return answer(call, op, TokenCheckErrno.Success);
}
