import type { Call, Handler } from '../../core/call.ts';
import type { Context } from '../../core/context.ts';
import { authenticated } from '../../core/domain/device-auth.ts';
import { readParameters } from '../../core/http/input.ts';
import { failOnWrongBase, taskAtCheck } from '../task-at-check.ts';
import { fileFacts } from '../task-info.ts';
import type { Dialect } from './dialect.ts';
import { reply } from './reply.ts';
import { tidStatus } from './task-of.ts';

/**
 * `GET …/{pro_id}/{dev_name}/check?type&version` (protocol §3, §4.2): records the version, finds the device's task
 * for the module and answers `{target, tid, size, md5, status, type}`. What the legacy check refuses (a paused task
 * holding the device, a finished device) reads as no task here; a differential package for another base version
 * fails the device, as the legacy errno 9 does, and reads as no task.
 */
export function checkTaskVia(dialect: Dialect): Handler {
  return (call: Call, ctx: Context) => {
    const op = dialect.op.checkTask;
    const auth = authenticated(call);
    if ('reason' in auth) return reply(call, op, dialect.code.AuthFailed, { note: auth.reason });
    const { value: p, errors } = readParameters(op, call.url.searchParams, call.route.params);
    if (errors.length > 0)
      return reply(call, op, dialect.code.BadRequest, {
        note: errors.map((e) => `${e.pointer} ${e.message}`).join('; '),
      });
    const version = p.version as string;
    const found = taskAtCheck(ctx, auth.device, p.type, version);
    if ('refused' in found)
      return reply(call, op, dialect.code.NoTask, { note: `${found.note} (legacy errno ${found.refused})` });
    const { task, deviceTask } = found;
    const wrongBase = failOnWrongBase(ctx, task, deviceTask, version);
    if (wrongBase) return reply(call, op, dialect.code.NoTask, { note: `${wrongBase}: the task failed for it` });
    const { target, ...file } = fileFacts(ctx, task);
    const data = { target, tid: task.tid, ...file, status: tidStatus(deviceTask) };
    return reply(call, op, dialect.code.Success, { data });
  };
}
