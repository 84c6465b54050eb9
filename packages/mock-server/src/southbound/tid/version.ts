import type { Call, Handler } from '../../core/call.ts';
import { bodyText } from '../../core/call.ts';
import type { Context } from '../../core/context.ts';
import { authenticated } from '../../core/domain/device-auth.ts';
import { readJsonBody } from '../../core/http/input.ts';
import { recordedVersions, recordVersions } from '../record-versions.ts';
import type { Dialect } from './dialect.ts';
import { reply } from './reply.ts';

/** `POST …/{pro_id}/{dev_name}/version` (protocol §3, §4.1): records the versions as the legacy report does. */
export function reportVersionVia(dialect: Dialect): Handler {
  return (call: Call, ctx: Context) => {
    const op = dialect.op.reportVersion;
    const auth = authenticated(call);
    if ('reason' in auth) return reply(call, op, dialect.code.AuthFailed, { note: auth.reason });
    const body = readJsonBody<{ f_version?: string; s_version?: string }>(op, bodyText(call));
    if (body.errors.length > 0 || !body.value)
      return reply(call, op, dialect.code.BadRequest, {
        note: body.errors.map((e) => `${e.pointer} ${e.message}`).join('; '),
      });
    recordVersions(ctx, auth.device, body.value);
    return reply(call, op, dialect.code.Success);
  };
}

/** `GET …/{pro_id}/{dev_name}/version`: the recorded versions; a version never reported is absent. */
export function getVersionVia(dialect: Dialect): Handler {
  return async (call: Call, _ctx: Context) => {
    const op = dialect.op.getVersion;
    const auth = authenticated(call);
    if ('reason' in auth) return reply(call, op, dialect.code.AuthFailed, { note: auth.reason });
    return reply(call, op, dialect.code.Success, { data: recordedVersions(auth.device) });
  };
}
