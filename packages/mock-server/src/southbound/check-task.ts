import { CheckErrno } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { authenticated } from '../core/domain/device-auth.ts';
import { moveDevice } from '../core/domain/tasks.ts';
import { tokenFor } from '../core/domain/tokens.ts';
import { readParameters } from '../core/http/input.ts';
import { answer } from './answer.ts';
import { failOnWrongBase, taskAtCheck } from './task-at-check.ts';
import { taskInfo } from './task-info.ts';

/**
 * `GET /ota/south/check` (protocol §2.2). Records the version it is given, finds the device's task for the module,
 * fails it on a manuf/model (8) or differential base-version (9) mismatch, and hands out the upgrade token.
 */
export function checkTask(call: Call, ctx: Context): Response {
  const op = 'checkTask';
  const { value: p, errors } = readParameters(op, call.url.searchParams, call.route.params);
  const auth = authenticated(call);
  if ('reason' in auth) return answer(call, op, CheckErrno.AuthFailed, { note: auth.reason });
  if (errors.length > 0) {
    const badVersion = errors.some((e) => e.pointer === '#/query/version');
    return answer(call, op, badVersion ? CheckErrno.BadVersionFormat : CheckErrno.BadRequest, {
      note: errors.map((e) => `${e.pointer} ${e.message}`).join('; '),
    });
  }
  const version = p.version as string;
  const found = taskAtCheck(ctx, auth.device, p.type, version);
  if ('refused' in found) return answer(call, op, found.refused, { note: found.note });
  const { task, deviceTask } = found;

  const pkg = ctx.state.packages.get(task.packageId);
  // A check without manuf/model (OneNET's C SDK sends none) is matched on type and version alone.
  const sentModule = p.manuf !== undefined || p.model !== undefined;
  if (pkg && sentModule && (pkg.manuf !== p.manuf || pkg.model !== p.model)) {
    deviceTask.lastErrno = CheckErrno.ManufModelMismatch;
    moveDevice(ctx, task, deviceTask, 'failed');
    return answer(call, op, CheckErrno.ManufModelMismatch, {
      note: `task is for ${pkg.manuf}/${pkg.model}, device sent ${p.manuf}/${p.model}`,
    });
  }
  const wrongBase = failOnWrongBase(ctx, task, deviceTask, version);
  if (wrongBase) return answer(call, op, CheckErrno.VersionMismatch, { note: wrongBase });
  const token = tokenFor(ctx, deviceTask);
  deviceTask.lastErrno = CheckErrno.Success;
  return answer(call, op, CheckErrno.Success, { data: taskInfo(ctx, task, token, p.cdn === true, call.url) });
}
