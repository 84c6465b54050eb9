import { VersionReportErrno } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import { bodyText } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { authenticated } from '../core/domain/device-auth.ts';
import { readJsonBody } from '../core/http/input.ts';
import { answer } from './answer.ts';
import { recordVersions } from './record-versions.ts';

/**
 * `POST /ota/device/version` (protocol §2.1): records the versions, and completes a task whose target the device
 * now reports ("平台会将该升级任务设定为“已完成”状态").
 */
export function reportVersion(call: Call, ctx: Context): Response {
  const op = 'reportVersion';
  const auth = authenticated(call);
  if ('reason' in auth) return answer(call, op, VersionReportErrno.AuthFailed, { note: auth.reason });
  const body = readJsonBody<{ f_version?: string; s_version?: string }>(op, bodyText(call));
  if (body.errors.length > 0 || !body.value) {
    const versionRule = body.errors.some((e) => /_version/.test(e.pointer) && /pattern|characters/.test(e.message));
    return answer(call, op, versionRule ? VersionReportErrno.BadVersionFormat : VersionReportErrno.BadRequest, {
      note: body.errors.map((e) => `${e.pointer} ${e.message}`).join('; '),
    });
  }
  recordVersions(ctx, auth.device, body.value);
  return answer(call, op, VersionReportErrno.Success);
}
