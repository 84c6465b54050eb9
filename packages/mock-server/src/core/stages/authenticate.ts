import { type Generation, Generation as Generations, operations } from '@onenet-ota/openapi/protocol';
import type { Call, DeviceAuth } from '../call.ts';
import type { Context } from '../context.ts';
import { authenticateDevice, authenticateNamed } from '../domain/device-auth.ts';
import { devIdOf } from '../http/dev-id.ts';
import { operationSpec } from '../http/spec.ts';
import type { NowOrLater } from '../now-or-later.ts';

// Stage 3 of a request (admit, read, authenticate, handle, validate, journal, shape): the device a call speaks for, by
// its OneNET token, before any fault or handler. The handler answers a refusal in its operation's own terms.

/** How an operation names its device, read from the spec: by `dev_id`, by product and name in its path, or not. */
type DeviceNaming = { by: 'dev_id' } | { by: 'path'; generation: Exclude<Generation, 'legacy'> } | undefined;

const namings = new Map<string, DeviceNaming>();

/** An operation that requires the device token and names its device one of the two ways the token can vouch for. */
function namingOf(operationId: Call['route']['operationId']): DeviceNaming {
  if (namings.has(operationId)) return namings.get(operationId);
  const spec = operationSpec(operationId);
  const names = new Set(spec.parameters.map((p) => p.name));
  const tag = (operations[operationId] as { tag: string }).tag;
  const naming: DeviceNaming = !spec.requiresDeviceToken
    ? undefined
    : names.has('dev_id')
      ? { by: 'dev_id' }
      : names.has('pro_id') && names.has('dev_name')
        ? { by: 'path', generation: tag === 'device-fuse' ? Generations.Fuse : Generations.Studio }
        : undefined;
  namings.set(operationId, naming);
  return naming;
}

/** Verifies the token of a call that names its device, keeping the verdict on the call for its handler. */
export function authenticate(ctx: Context, call: Call): NowOrLater<void> {
  const naming = namingOf(call.route.operationId);
  if (!naming) return;
  // A verification that throws is a platform bug: kept as such, the handler meets it and answers errno 7.
  let verdict: NowOrLater<DeviceAuth>;
  try {
    verdict =
      naming.by === 'dev_id'
        ? authenticateDevice(call, ctx, devIdOf(call.url.searchParams))
        : authenticateNamed(call, ctx, naming.generation);
  } catch (error) {
    call.deviceAuth = { failure: error };
    return;
  }
  // A header verified before is judged at once: the call goes on without a promise.
  if (!(verdict instanceof Promise)) {
    call.deviceAuth = verdict;
    return;
  }
  return verdict.then(
    (auth) => {
      call.deviceAuth = auth;
    },
    (error: unknown) => {
      call.deviceAuth = { failure: error };
    },
  );
}
