import { Errno, ProgressErrno, ReportErrno } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import { bodyJson, bodyText } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { authenticated } from '../core/domain/device-auth.ts';
import { deviceTaskKeyOf } from '../core/domain/records.ts';
import { codeOutcome } from '../core/domain/state-machine.ts';
import { readJsonBody } from '../core/http/input.ts';
import { answer } from './answer.ts';
import { applyCode } from './apply-code.ts';

/**
 * `POST /ota/south/device/download/{token}/progress` with `{step}` (protocol §2.5). A step 0–100 or a status code,
 * judged by the state machine's `codes`; 100 and 101 lead to `paused` instead of `upgrading` while the task is
 * paused. The token's expiry is not checked, so 207/208 still get through after it.
 */
export function reportProgress(call: Call, ctx: Context): Response {
  return reportCode(call, ctx, 'reportProgress');
}

/** `POST /ota/south/report?token=` with `{result}` (protocol §2.6): the same rules for status codes only. */
export function reportStatus(call: Call, ctx: Context): Response {
  return reportCode(call, ctx, 'reportStatus');
}

function reportCode(call: Call, ctx: Context, op: 'reportProgress' | 'reportStatus'): Response {
  const auth = authenticated(call);
  if ('reason' in auth) return answer(call, op, Errno.AuthFailed, { note: auth.reason });
  const tokenText = (op === 'reportProgress' ? call.route.params.token : call.url.searchParams.get('token')) ?? '';
  const token = ctx.state.tokens.get(tokenText);
  // /report lists only "1 token鉴权失败" for a bad token; /progress takes token check's 18.
  if (!token || token.revoked)
    return answer(call, op, op === 'reportStatus' ? ReportErrno.AuthFailed : ProgressErrno.WrongToken, {
      note: `unknown token ${tokenText}`,
    });
  if (token.devId !== auth.device.devId)
    return answer(call, op, Errno.TokenDeviceMismatch, { note: `token belongs to device ${token.devId}` });

  const field = op === 'reportProgress' ? 'step' : 'result';
  const raw = bodyJson(call);
  const code = (raw as Record<string, unknown> | undefined)?.[field];
  if (typeof code !== 'number' || !Number.isInteger(code)) {
    return answer(call, op, op === 'reportStatus' ? ReportErrno.BadResult : ProgressErrno.UnknownResultCode, {
      note: `body needs an integer "${field}"`,
    });
  }
  const body = readJsonBody(op, bodyText(call));
  const task = ctx.state.tasks.get(token.taskId);
  const deviceTask = ctx.state.deviceTasks.get(deviceTaskKeyOf(token));
  const known = deviceTask !== undefined && codeOutcome(deviceTask.state, code) !== undefined;
  if (body.errors.length > 0 || !known)
    return answer(call, op, Errno.UnknownResultCode, { note: `${field} ${code} is not a step or status code` });
  if (!task || !deviceTask) return answer(call, op, Errno.TaskFinished, { note: 'the task no longer exists' });
  const verdict = applyCode(ctx, task, deviceTask, code);
  if ('refused' in verdict)
    return answer(call, op, verdict.refused, { note: `${field} ${code} is not accepted while ${deviceTask.state}` });
  return answer(call, op, Errno.Success);
}
