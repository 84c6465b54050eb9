import { Errno, ResultCode } from '@onenet-ota/openapi/protocol';
import type { Call, Handler } from '../../core/call.ts';
import { bodyJson, bodyText } from '../../core/call.ts';
import type { Context } from '../../core/context.ts';
import { authenticated } from '../../core/domain/device-auth.ts';
import type { DeviceTaskRecord, TaskRecord } from '../../core/domain/records.ts';
import { fileOf } from '../../core/domain/tasks.ts';
import { readJsonBody, readParameters } from '../../core/http/input.ts';
import { applyCode } from '../apply-code.ts';
import type { Dialect } from './dialect.ts';
import { reply } from './reply.ts';
import { taskOf } from './task-of.ts';

/**
 * `POST …/{pro_id}/{dev_name}/{tid}/status` with `{step}` (protocol §3, §4.5): the legacy state machine's rules for
 * steps and codes; 20, 21 and 22 mean what they mean there. A code the operation's body schema refuses (208 on the
 * new platform) or no code at all is a request parameter error. On Studio a 201 straight after the whole package was
 * downloaded is taken as 101 then 201, as OneNET's own thing-model client sends it (DECISIONS 83), and journaled
 * as tolerated so the suite warns (RPT-002).
 */
export function reportStatusVia(dialect: Dialect): Handler {
  return (call: Call, ctx: Context) => {
    const op = dialect.op.reportStatus;
    const auth = authenticated(call);
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
    if (
      dialect.generation === 'studio' &&
      step === ResultCode.UpgradeSucceeded &&
      downloadedWhole(ctx, task, deviceTask)
    ) {
      applyCode(ctx, task, deviceTask, ResultCode.Downloaded);
      call.tolerated ??= [];
      call.tolerated.push({
        pointer: '#/body/step',
        message:
          "201 without 101: taken on Studio, as OneNET's thing-model C client (AIO CONFIG_TM) sends it; the FAQ asks for 101 first",
      });
    }
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

/** Whether a downloading device was served every byte of its task's package (a 101 would be taken now). */
function downloadedWhole(ctx: Context, task: TaskRecord, deviceTask: DeviceTaskRecord): boolean {
  if (deviceTask.state !== 'downloading') return false;
  try {
    return deviceTask.servedUpTo >= fileOf(ctx, task.id).record.size;
  } catch {
    return false;
  }
}

// The state machine refuses codes with the legacy errnos; each dialect has a code of the same meaning.
const meaningOf = {
  [Errno.TaskFinished]: 'TaskFinished',
  [Errno.InvalidOperation]: 'InvalidOperation',
  [Errno.TaskCanceled]: 'TaskCanceled',
} as const;
