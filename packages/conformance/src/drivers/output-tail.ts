/**
 * Keeps the last `limit` bytes of a stream and counts them all, so a device that prints megabytes per case
 * costs the suite 64 KiB and the report still says how much there was.
 */
export class OutputTail {
  bytes = 0;
  #chunks: Buffer[] = [];
  #kept = 0;
  readonly #limit: number;

  constructor(limit = 64 * 1024) {
    this.#limit = limit;
  }

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    while (this.#kept - (this.#chunks[0]?.length ?? 0) >= this.#limit) this.#kept -= this.#chunks.shift()?.length ?? 0;
  }

  /** The tail as text, starting with a note of what was dropped. */
  text(): string {
    const all = Buffer.concat(this.#chunks);
    const tail = all.subarray(Math.max(0, all.length - this.#limit));
    const dropped = this.bytes - tail.length;
    return `${dropped > 0 ? `[… ${dropped} earlier bytes not kept]\n` : ''}${tail.toString('utf8')}`;
  }
}
