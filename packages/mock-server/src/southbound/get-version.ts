import { VersionQueryErrno } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { readParameters } from '../core/http/input.ts';
import { answer } from './answer.ts';
import { authenticateDevice } from './authenticate.ts';
import { recordedVersions } from './record-versions.ts';

/** `GET /ota/device/version` (protocol §2.8): the recorded versions; a version never reported is absent. */
export async function getVersion(call: Call, ctx: Context): Promise<Response> {
  const { value: params } = readParameters('getVersion', call.url.searchParams, call.route.params);
  const auth = await authenticateDevice(call, ctx, params.dev_id);
  if ('reason' in auth) return answer(call, 'getVersion', VersionQueryErrno.AuthFailed, { note: auth.reason });
  return answer(call, 'getVersion', VersionQueryErrno.Success, { data: recordedVersions(auth.device) });
}
