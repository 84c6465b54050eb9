import { type OperationId, operations } from '@onenet-ota/sdk';

/** Whether a device calls this operation (the spec's device tags): the envelope operations and the downloads of every generation. */
export function isDeviceOperation(operationId: string): boolean {
  if (!(operationId in operations)) return false;
  const { tag } = operations[operationId as OperationId];
  // Not `devices`: that is the management API's tag for device records.
  return tag === 'device' || tag === 'device-legacy' || tag === 'device-studio' || tag === 'device-fuse';
}
