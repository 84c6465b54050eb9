import { DiffFormat } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import { createVcdiff } from '@onenet-ota/sdk/vcdiff-encoder';

/** The formats the built-in generator writes: plain VCDIFF, and VCDIFF with xdelta3's LZMA secondary compression. */
export const builtinFormats: readonly DiffFormat[] = [DiffFormat.Vcdiff, DiffFormat.VcdiffLzma];

/** How one generation is asked for, settled: the spec's `DiffGenerate` format and window, both known. */
export type DiffHow = Required<Pick<components['schemas']['DiffGenerate'], 'format' | 'windowSize'>>;

/** A raw LZMA2 compressor (chunks and end marker), what `vcdiff-lzma` sections are made with. */
export type Lzma2Encoder = (bytes: Uint8Array) => Uint8Array;

/**
 * The built-in generator: VCDIFF in `how.windowSize` windows, its sections LZMA-compressed for `vcdiff-lzma`. The
 * core runs in browsers too, so it holds no LZMA2 encoder: the node door brings one (`workerDiffs()`); without it,
 * `vcdiff-lzma` is not offered.
 */
export function builtinDiff(base: Uint8Array, target: Uint8Array, how: DiffHow, lzma2?: Lzma2Encoder): Uint8Array {
  if (how.format === DiffFormat.Vcdiff) return createVcdiff(base, target, { windowSize: how.windowSize });
  if (how.format !== DiffFormat.VcdiffLzma || !lzma2)
    throw new Error(
      `the built-in generator here writes ${lzma2 ? builtinFormats.join(' or ') : 'vcdiff'}, not ${how.format}`,
    );
  return createVcdiff(base, target, { windowSize: how.windowSize, lzma2 });
}
