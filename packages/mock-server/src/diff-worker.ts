/**
 * The worker thread behind `workerDiffs()`: makes VCDIFF patches off the platform's event loop. One message in,
 * `{ id, base, target }`; one message out, `{ id, patch }` (transferred, not copied) or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { createVcdiff } from '@onenet-ota/sdk/vcdiff-encoder';

parentPort?.on('message', ({ id, base, target }: { id: number; base: Uint8Array; target: Uint8Array }) => {
  try {
    const patch = createVcdiff(base, target);
    parentPort?.postMessage({ id, patch }, [patch.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
