import type { Lzma2Encoder } from './core/domain/builtin-diffs.ts';

let loading: Promise<Lzma2Encoder> | undefined;

/**
 * The LZMA2 encoder of `vcdiff-lzma` patches: @napi-rs/lzma, a prebuilt native binding, loaded when first asked for
 * so a Node where it cannot load (no binding for the platform, Node older than it supports) still serves and
 * generates plain VCDIFF; asking it for LZMA then fails the job saying why.
 */
export function loadLzma2Encoder(): Promise<Lzma2Encoder> {
  loading ??= import('@napi-rs/lzma').then(
    ({ lzma2 }) =>
      (bytes: Uint8Array) =>
        lzma2.compressSync(bytes),
    (error: Error) => {
      loading = undefined;
      throw new Error(
        `vcdiff-lzma needs the LZMA2 encoder @napi-rs/lzma, which did not load here (${error.message.split('\n')[0]}); ask for vcdiff`,
      );
    },
  );
  return loading;
}
