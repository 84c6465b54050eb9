import { OtaErrnoCode, TokenCheckErrno } from '@onenet-ota/openapi/protocol';
import { rangeBounds } from '@onenet-ota/sdk';
import type { Call, Handler } from '../../core/call.ts';
import type { Context } from '../../core/context.ts';
import { authenticated } from '../../core/domain/device-auth.ts';
import { callOutcome } from '../../core/domain/state-machine.ts';
import { fileOf, moveDevice } from '../../core/domain/tasks.ts';
import { readParameters } from '../../core/http/input.ts';
import { rangeNotSatisfiable, servePackage } from '../serve-package.ts';
import type { Dialect } from './dialect.ts';
import { reply } from './reply.ts';
import { taskOf } from './task-of.ts';

/**
 * `GET …/{pro_id}/{dev_name}/{tid}/download` (protocol §3, §4.4): the package, whole or a `Range`, with
 * `Ota-Errno: 0`; Studio adds `Content-Range-Start`/`-End`. A refusal is HTTP 200 with `Ota-Errno` 1–6 and the
 * dialect's JSON envelope ("HTTP 状态码可能仍是 200，只有它说实话"). The first download moves a waiting device to
 * downloading: these generations have no token check, the download is where the device starts.
 */
export function downloadVia(dialect: Dialect): Handler {
  return (call: Call, ctx: Context) => {
    const op = dialect.op.downloadPackage;
    const refuse = (otaErrno: OtaErrnoCode, code: number, note: string) => {
      const response = reply(call, op, code, { note: `Ota-Errno ${otaErrno}: ${note}` });
      response.headers.set('Ota-Errno', String(otaErrno));
      return response;
    };
    const auth = authenticated(call);
    if ('reason' in auth) {
      const known = call.auth === 'refused';
      return refuse(
        known ? OtaErrnoCode.AuthFailed : OtaErrnoCode.DeviceNotFound,
        dialect.code.AuthFailed,
        auth.reason,
      );
    }
    const { value: p } = readParameters(op, call.url.searchParams, call.route.params);
    const found = taskOf(ctx, auth.device, p.tid);
    if (!found)
      return refuse(OtaErrnoCode.FileNotFound, dialect.code.NoTask, `${auth.device.name} is not in task ${p.tid}`);
    const { task, deviceTask } = found;
    const { state } = deviceTask;
    if (callOutcome(state, 'downloadPackage').errorByte) {
      const code = state === 'canceled' ? dialect.code.TaskCanceled : dialect.code.TaskFinished;
      return refuse(OtaErrnoCode.TaskUnavailable, code, `device is ${state}`);
    }
    const gate = callOutcome(state, 'checkToken');
    if (gate.errno === TokenCheckErrno.TaskPaused)
      return refuse(OtaErrnoCode.TaskUnavailable, dialect.code.InvalidOperation, 'the task is paused');
    let file: ReturnType<typeof fileOf>;
    try {
      file = fileOf(ctx, task.id);
    } catch {
      return refuse(OtaErrnoCode.StoredObjectNotFound, dialect.code.NoTask, 'the package was deleted');
    }
    // The new platform answers a Range that starts at or past the end 416 (protocol §4.4, FUSE-C2's comment), where
    // the legacy rules start such a range at 0: nothing is served, the device stays where it was.
    const asked = rangeBounds(call.request.headers.get('range') ?? '');
    if (dialect.generation === 'fuse' && asked?.first !== undefined && asked.first >= file.record.size) {
      call.note = `Range starts at ${asked.first}, at or past the end of the ${file.record.size}-byte package`;
      return rangeNotSatisfiable(file.record.size);
    }
    if (gate.to && gate.to !== state) moveDevice(ctx, task, deviceTask, gate.to);
    return servePackage(call, ctx, deviceTask, file.record, (range) => ({
      'Ota-Errno': String(OtaErrnoCode.Success),
      // As captured from the new platform (protocol §4.4); readers compare the media type, not the whole value.
      ...(dialect.generation === 'fuse' ? { 'Content-Type': 'application/octet-stream;charset=UTF-8' } : {}),
      ...(range && dialect.generation === 'studio'
        ? { 'Content-Range-Start': String(range.start), 'Content-Range-End': String(range.end) }
        : {}),
    }));
  };
}
