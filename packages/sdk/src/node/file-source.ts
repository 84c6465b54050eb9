import { fstatSync, openSync, readSync } from 'node:fs';
import type { ImageSource } from '../diff/image-source.ts';

/**
 * An image in a file, read by position: what a device restoring a differential package reads its current image
 * from, without loading it whole. The bytes a read returns are valid until the next read.
 *
 * @example
 * new OtaAgent({ ...options, restore: vcdiffRestore(fileSource('/firmware/current.bin')) });
 */
export function fileSource(path: string): ImageSource {
  const fd = openSync(path, 'r');
  // Reads land in one reused buffer: a patch makes thousands of small copies, and the decoder copies each read out
  // at once, so the bytes returned only need to last until the next read.
  let scratch = new Uint8Array(64 * 1024);
  return {
    size: fstatSync(fd).size,
    read(offset, length) {
      if (length > scratch.length) scratch = new Uint8Array(length);
      const bytes = scratch.subarray(0, length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, bytes, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return bytes.subarray(0, done);
    },
  };
}
