import type { BodyOutcome } from './body.ts';

// An answer whose body is bytes the platform already holds (a JSON envelope, a range of a stored package) can be
// written by an HTTP adapter in one call instead of being pumped through a web stream chunk by chunk: at tens of
// thousands of small answers a second, the stream machinery costs more than the answer. The platform marks such
// answers; an adapter that asked for them (`fetch(request, { wholeBodies: true })`) takes the bytes, writes them,
// and says how the write ended, which is what completes the journal entry and the device's download accounting.

const known = new WeakMap<Response, Uint8Array>();
const pending = new WeakMap<Response, (outcome: BodyOutcome) => void>();

/**
 * An answer whose body is `bytes` the platform holds. Building a web `Response` with a body costs more than the
 * rest of a small answer (undici makes a ReadableStream for it, ~15 µs), so the stream is made only when someone
 * reads the body; an adapter that writes the bytes itself never makes it. It is a `Response` to every reader
 * inside the platform; `platform.fetch` hands callers a plain one ({@link plainResponse}).
 */
export class WholeAnswer extends Response {
  readonly #bytes: Uint8Array;
  readonly #stream: (() => ReadableStream<Uint8Array>) | undefined;
  #real: Response | undefined;

  /** `stream` makes the body for a reader (by default the bytes, as one chunk). */
  constructor(bytes: Uint8Array, init: ResponseInit, stream?: () => ReadableStream<Uint8Array>) {
    super(null, init);
    this.#bytes = bytes;
    this.#stream = stream;
    known.set(this, bytes);
  }

  #materialized(): Response {
    const init = { status: this.status, statusText: this.statusText, headers: this.headers };
    // One Response with the bytes as its body: what a plain answer would have cost, no more.
    this.#real ??= new Response(this.#stream ? this.#stream() : (this.#bytes as Uint8Array<ArrayBuffer>), init);
    return this.#real;
  }

  /** The body, made now as a stream (the getter Response.prototype has, overridden). */
  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#materialized().body;
  }

  /** Whether the body was read. */
  override get bodyUsed(): boolean {
    return this.#real?.bodyUsed ?? false;
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.#materialized().arrayBuffer();
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#materialized().bytes();
  }

  override blob(): Promise<Blob> {
    return this.#materialized().blob();
  }

  override formData(): Promise<FormData> {
    return this.#materialized().formData();
  }

  override json(): Promise<unknown> {
    return this.#materialized().json();
  }

  override text(): Promise<string> {
    return this.#materialized().text();
  }

  override clone(): Response {
    const init = { status: this.status, statusText: this.statusText, headers: new Headers(this.headers) };
    return new WholeAnswer(this.#bytes, init, this.#stream as (() => ReadableStream<Uint8Array>) | undefined);
  }

  /** The same answer as a plain `Response`, for callers outside the platform. */
  toResponse(): Response {
    return this.#materialized();
  }
}

/** A plain `Response` for a caller of `platform.fetch`: a {@link WholeAnswer} becomes one with a real body. */
export function plainResponse(response: Response): Response {
  return response instanceof WholeAnswer ? carryWhole(response, response.toResponse()) : response;
}

/** The bytes a response was marked with, if any. */
export function wholeBytes(response: Response): Uint8Array | undefined {
  return known.get(response);
}

/** Registers what must happen when an adapter has written the bytes of `response` (or failed to). */
export function awaitWholeEnd(response: Response, end: (outcome: BodyOutcome) => void): void {
  pending.set(response, end);
}

/**
 * For an adapter that asked for whole bodies: the bytes to write and the function to call once they are written
 * (or the peer went away), or undefined when the answer must be streamed (a fault shapes it, or it is not bytes
 * the platform holds).
 */
export function takeWhole(response: Response): { bytes: Uint8Array; end(outcome: BodyOutcome): void } | undefined {
  const bytes = known.get(response);
  const end = pending.get(response);
  if (!bytes || !end) return undefined;
  pending.delete(response);
  return { bytes, end };
}

/** Moves the marks of `from` to `to`, a response made around the same body (with other headers). */
export function carryWhole(from: Response, to: Response): Response {
  const bytes = known.get(from);
  if (bytes) known.set(to, bytes);
  const end = pending.get(from);
  if (end) {
    pending.set(to, end);
    pending.delete(from);
  }
  return to;
}
