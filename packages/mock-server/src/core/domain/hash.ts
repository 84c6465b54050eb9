import { Md5 } from '@onenet-ota/sdk';

// MD5 in plain TypeScript runs at about 150 MB/s: a 64 MiB package in one call would hold the event loop for a
// quarter of a second, and every device on the bench would wait. Hashing with a macrotask after each slice keeps
// each hold near 8 ms, and works wherever the platform runs (Node, MSW in a browser), unlike node:crypto or a
// worker. Awaiting a stream's next chunk is no such break: chunks already queued arrive as microtasks.

/** Bytes hashed between two yields to the event loop. */
const SLICE = 1024 * 1024;

/** An MD5 that yields to the event loop after every slice it hashes, across any number of updates. */
export class SlicedMd5 {
  #md5 = new Md5();
  #sinceYield = 0;

  async update(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; ) {
      if (this.#sinceYield >= SLICE) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        this.#sinceYield = 0;
      }
      const piece = bytes.subarray(at, at + SLICE - this.#sinceYield);
      this.#md5.update(piece);
      this.#sinceYield += piece.length;
      at += piece.length;
    }
  }

  hex(): string {
    return this.#md5.hex();
  }
}

/** MD5 of `bytes` as hex, without holding the event loop for more than a slice. */
export async function md5Sliced(bytes: Uint8Array): Promise<string> {
  const md5 = new SlicedMd5();
  await md5.update(bytes);
  return md5.hex();
}
