import { type OperationId, operations } from '@onenet-ota/openapi/protocol';
import { operationSpec } from './spec.ts';

/** Whether a device calls this operation (the spec's device tags): the envelope operations and the downloads of every generation. */
export function isDeviceOperation(operationId: string): boolean {
  if (!(operationId in operations)) return false;
  const { tag } = operations[operationId as OperationId];
  // Not `devices`: that is the management API's tag for device records.
  return tag === 'device' || tag === 'device-legacy' || tag === 'device-studio' || tag === 'device-fuse';
}

/** Whether the operation's answers carry `Ota-Errno` (the spec's Studio and new-platform downloads). */
export function answersOtaErrno(operationId: OperationId): boolean {
  return operationSpec(operationId).responseHeaders['200']?.['ota-errno'] !== undefined;
}
