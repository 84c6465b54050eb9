/**
 * Random access to the image a patch is applied to. A device keeps its current image in flash: reading only the
 * ranges a patch copies keeps memory to one target window, however large the image.
 */
export interface ImageSource {
  /** Bytes in the image. */
  size: number;
  /** `length` bytes from `offset`; fewer only at the end of the image. The caller copies them before reading again. */
  read(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
}

/**
 * An image held in memory.
 *
 * @example
 * const restored = restoreVcdiff(memorySource(currentImage), [patch]);
 */
export function memorySource(bytes: Uint8Array): ImageSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}
