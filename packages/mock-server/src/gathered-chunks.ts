/**
 * Small chunks of a body gathered into one: `add` copies a chunk in, sends each whole chunk's worth at once, and
 * sends what is left on the next turn of the event loop, after the rest of the socket's read has been parsed, so
 * gathering never delays bytes that arrived. It says whether it sent anything now.
 */
export class Gathered {
  static readonly size = 16 * 1024;
  #bytes = new Uint8Array(Gathered.size);
  #length = 0;
  #scheduled: NodeJS.Immediate | undefined;

  get empty(): boolean {
    return this.#length === 0;
  }

  add(chunk: Uint8Array, send: (bytes: Uint8Array) => void): boolean {
    let sent = false;
    for (let at = 0; at < chunk.byteLength; ) {
      const n = Math.min(chunk.byteLength - at, Gathered.size - this.#length);
      this.#bytes.set(chunk.subarray(at, at + n), this.#length);
      this.#length += n;
      at += n;
      if (this.#length === Gathered.size) {
        send(this.take());
        sent = true;
      }
    }
    if (this.#length > 0)
      this.#scheduled ??= setImmediate(() => {
        this.#scheduled = undefined;
        if (this.#length > 0) send(this.take());
      });
    return sent;
  }

  /** The bytes gathered so far, as a chunk of their own; the gathering starts again empty. */
  take(): Uint8Array {
    const taken = this.#bytes.slice(0, this.#length);
    this.#length = 0;
    return taken;
  }

  drop(): void {
    clearImmediate(this.#scheduled);
    this.#length = 0;
  }
}
