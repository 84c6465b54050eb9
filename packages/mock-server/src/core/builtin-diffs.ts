import type { DiffFormat } from '@onenet-ota/sdk';
import { createVcdiff } from '@onenet-ota/sdk/vcdiff-encoder';

/** The formats the built-in generator writes: plain VCDIFF, and VCDIFF with xdelta3's LZMA secondary compression. */
export const builtinFormats: readonly DiffFormat[] = ['vcdiff', 'vcdiff-lzma'];

/** How one generation is asked for: the format, and the built-in generator's window size. */
export interface DiffHow {
  format: DiffFormat;
  /** Target bytes per VCDIFF window (the spec's `DiffGenerate.windowSize`). */
  windowSize: number;
}

/**
 * The built-in generator: VCDIFF in `how.windowSize` windows, its sections LZMA-compressed for `vcdiff-lzma`. The
 * LZMA2 encoder is native (@napi-rs/lzma, a prebuilt binding) and loaded only when that format is asked for, so a
 * platform where it cannot load still generates plain VCDIFF; asking it for LZMA fails the job saying why.
 */
export async function builtinDiff(base: Uint8Array, target: Uint8Array, how: DiffHow): Promise<Uint8Array> {
  if (how.format === 'vcdiff') return createVcdiff(base, target, { windowSize: how.windowSize });
  if (how.format !== 'vcdiff-lzma')
    throw new Error(`the built-in generator writes vcdiff or vcdiff-lzma, not ${how.format}`);
  return createVcdiff(base, target, { windowSize: how.windowSize, lzma2: await lzma2Encoder() });
}

let encoder: Promise<(bytes: Uint8Array) => Uint8Array> | undefined;

function lzma2Encoder(): Promise<(bytes: Uint8Array) => Uint8Array> {
  encoder ??= import('@napi-rs/lzma').then(
    ({ lzma2 }) =>
      (bytes: Uint8Array) =>
        lzma2.compressSync(bytes),
    (error: Error) => {
      encoder = undefined;
      throw new Error(
        `vcdiff-lzma needs the LZMA2 encoder @napi-rs/lzma, which did not load here (${error.message.split('\n')[0]}); ask for vcdiff`,
      );
    },
  );
  return encoder;
}
