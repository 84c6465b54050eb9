import { VersionQueryErrno } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { authenticated } from '../core/domain/device-auth.ts';
import { answer } from './answer.ts';
import { recordedVersions } from './record-versions.ts';

/** `GET /ota/device/version` (protocol §2.8): the recorded versions; a version never reported is absent. */
export function getVersion(call: Call, _ctx: Context): Response {
  const auth = authenticated(call);
  if ('reason' in auth) return answer(call, 'getVersion', VersionQueryErrno.AuthFailed, { note: auth.reason });
  return answer(call, 'getVersion', VersionQueryErrno.Success, { data: recordedVersions(auth.device) });
}
