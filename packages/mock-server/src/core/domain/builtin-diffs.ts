import type { DiffFormat } from '@onenet-ota/openapi/protocol';
import { createVcdiff } from '@onenet-ota/sdk/vcdiff-encoder';

/** The formats the built-in generator writes: plain VCDIFF, and VCDIFF with xdelta3's LZMA secondary compression. */
export const builtinFormats: readonly DiffFormat[] = ['vcdiff', 'vcdiff-lzma'];

/** How one generation is asked for: the format, and the built-in generator's window size. */
export interface DiffHow {
  format: DiffFormat;
  /** Target bytes per VCDIFF window (the spec's `DiffGenerate.windowSize`). */
  windowSize: number;
}

/** A raw LZMA2 compressor (chunks and end marker), what `vcdiff-lzma` sections are made with. */
export type Lzma2Encoder = (bytes: Uint8Array) => Uint8Array;

/**
 * The built-in generator: VCDIFF in `how.windowSize` windows, its sections LZMA-compressed for `vcdiff-lzma`. The
 * core runs in browsers too, so it holds no LZMA2 encoder: the node door brings one (`workerDiffs()`); without it,
 * `vcdiff-lzma` is not offered.
 */
export function builtinDiff(base: Uint8Array, target: Uint8Array, how: DiffHow, lzma2?: Lzma2Encoder): Uint8Array {
  if (how.format === 'vcdiff') return createVcdiff(base, target, { windowSize: how.windowSize });
  if (how.format !== 'vcdiff-lzma' || !lzma2)
    throw new Error(
      `the built-in generator here writes ${lzma2 ? builtinFormats.join(' or ') : 'vcdiff'}, not ${how.format}`,
    );
  return createVcdiff(base, target, { windowSize: how.windowSize, lzma2 });
}
