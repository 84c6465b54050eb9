/**
 * The worker thread behind `workerDiffs()`: makes the built-in generator's patches off the platform's event loop.
 * One message in, `{ id, base, target, how }`; one message out, `{ id, patch }` (transferred, not copied) or
 * `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { builtinDiff, type DiffHow } from './core/domain/builtin-diffs.ts';
import { loadLzma2Encoder } from './lzma2-encoder.ts';

parentPort?.on(
  'message',
  async ({ id, base, target, how }: { id: number; base: Uint8Array; target: Uint8Array; how: DiffHow }) => {
    try {
      const lzma2 = how.format === 'vcdiff-lzma' ? await loadLzma2Encoder() : undefined;
      const patch = builtinDiff(base, target, how, lzma2);
      parentPort?.postMessage({ id, patch }, [patch.buffer as ArrayBuffer]);
    } catch (error) {
      parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  },
);
