import { fstatSync, openSync, readSync } from 'node:fs';
import type { ImageSource } from '../diff/image-source.ts';

/**
 * An image in a file, read by position: what a device restoring a differential package reads its current image
 * from, without loading it whole.
 *
 * @example
 * new OtaAgent({ ...options, restore: vcdiffRestore(fileSource('/firmware/current.bin')) });
 */
export function fileSource(path: string): ImageSource {
  const fd = openSync(path, 'r');
  return {
    size: fstatSync(fd).size,
    read(offset, length) {
      const bytes = new Uint8Array(length);
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
