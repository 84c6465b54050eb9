import { CheckErrno, ModuleType } from '@onenet-ota/sdk';
import type { Call, Handler } from '../../core/call.ts';
import type { Context } from '../../core/context.ts';
import { readParameters } from '../../core/input.ts';
import { callOutcome } from '../../core/state-machine.ts';
import { activeDeviceTask, fileOf, moveDevice } from '../../core/tasks.ts';
import { authenticateNamed } from '../authenticate.ts';
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
  return async (call: Call, ctx: Context) => {
    const op = dialect.op.checkTask;
    const auth = await authenticateNamed(call, ctx, dialect.generation);
    if ('reason' in auth) return reply(call, op, dialect.code.AuthFailed, { note: auth.reason });
    const { value: p, errors } = readParameters(op, call.url.searchParams, call.route.params);
    if (errors.length > 0)
      return reply(call, op, dialect.code.BadRequest, {
        note: errors.map((e) => `${e.pointer} ${e.message}`).join('; '),
      });
    const { device } = auth;
    const module = p.type === ModuleType.Fota ? 'fota' : 'sota';
    const version = p.version as string;
    device[module === 'fota' ? 'fVersion' : 'sVersion'] = version;

    const active = activeDeviceTask(ctx, device.devId, module);
    if (!active)
      return reply(call, op, dialect.code.NoTask, { note: `no running task for ${module} on ${device.name}` });
    const { task, deviceTask } = active;
    const outcome = callOutcome(deviceTask.state, 'checkTask');
    if (outcome.errno !== CheckErrno.Success)
      return reply(call, op, dialect.code.NoTask, {
        note: `device is ${deviceTask.state} (legacy errno ${outcome.errno})`,
      });
    const diff = task.diffId ? ctx.state.diffs.get(task.diffId) : undefined;
    if (diff && diff.initialVersion !== version) {
      moveDevice(ctx, task, deviceTask, 'failed');
      return reply(call, op, dialect.code.NoTask, {
        note: `differential package needs ${diff.initialVersion}, device is on ${version}: the task failed for it`,
      });
    }
    const file = fileOf(ctx, task.id);
    const data = {
      target: task.targetVersion,
      tid: task.tid,
      size: file.record.size,
      md5: file.record.md5,
      status: tidStatus(deviceTask),
      type: file.kind === 'diff' ? 2 : 1,
    };
    return reply(call, op, dialect.code.Success, { data });
  };
}
