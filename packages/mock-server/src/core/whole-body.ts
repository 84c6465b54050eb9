import { type BodyOutcome, countedStream } from './body.ts';

// An answer whose body is bytes the platform already holds (a JSON envelope, a range of a stored package) can be
// written by an HTTP adapter in one call instead of being pumped through a web stream chunk by chunk: at tens of
// thousands of small answers a second, the stream machinery costs more than the answer. The platform marks such
// answers; an adapter that asked for them (`fetch(request, { wholeBodies: true })`) takes the bytes, writes them,
// and says how the write ended, which is what completes the journal entry and the device's download accounting.

/** How a {@link WholeAnswer} is made. */
export interface WholeInit {
  status: number;
  /** The header fields, spelt as they go out (`Content-Length`). */
  headers: Record<string, string>;
  /** Makes the body for a reader (by default the bytes, as one chunk). */
  stream?: () => ReadableStream<Uint8Array>;
  /** The JSON text the bytes encode, kept for the journal (an envelope, a problem). */
  json?: string;
}

/**
 * An answer whose body is `bytes` the platform holds. Building a web `Response` (undici checks its init, makes a
 * header list and, for a body, a ReadableStream) costs more than the rest of a small answer, so a `WholeAnswer` is
 * not one until someone reads it as one: it implements every member of `Response` itself, its prototype chain
 * reaches `Response.prototype` (so `instanceof Response` holds), and the undici `Response` is made only when its
 * body is read as a stream or clone of a stream. An adapter that writes the bytes itself, and the journal, read the
 * header record as given. `platform.fetch` hands callers other than its own adapters a plain one ({@link
 * plainResponse}).
 */
export class WholeAnswer implements Response {
  readonly status: number;
  readonly statusText = '';
  readonly type: ResponseType = 'default';
  readonly url = '';
  readonly redirected = false;
  readonly #bytes: Uint8Array;
  readonly #fields: Record<string, string>;
  readonly #stream: (() => ReadableStream<Uint8Array>) | undefined;
  readonly #json: string | undefined;
  #headers: Headers | undefined;
  #real: Response | undefined;
  #end: ((outcome: BodyOutcome) => void) | undefined;
  /** The body was read from the JSON text, without a stream. */
  #read = false;

  constructor(bytes: Uint8Array, init: WholeInit) {
    this.status = init.status;
    this.#bytes = bytes;
    this.#fields = init.headers;
    this.#stream = init.stream;
    this.#json = init.json;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  /** The headers, made from the record when first read. */
  get headers(): Headers {
    this.#headers ??= new Headers(this.#fields);
    return this.#headers;
  }

  #materialized(): Response {
    const init = { status: this.status, statusText: this.statusText, headers: this.#headers ?? this.#fields };
    // One Response with the bytes as its body: what a plain answer would have cost, no more.
    this.#real ??= new Response(this.#stream ? this.#stream() : (this.#bytes as Uint8Array<ArrayBuffer>), init);
    return this.#real;
  }

  /** The body, made now as a stream. */
  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#materialized().body;
  }

  /** Whether the body was read. */
  get bodyUsed(): boolean {
    return this.#read || (this.#real?.bodyUsed ?? false);
  }

  /** The JSON text, read once as a body would be, when the answer was made from one and no stream was made. */
  #jsonText(): Promise<string> | undefined {
    if (this.#json === undefined || this.#real) return undefined;
    if (this.#read) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#read = true;
    return Promise.resolve(this.#json);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#materialized().arrayBuffer();
  }

  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#materialized().bytes();
  }

  blob(): Promise<Blob> {
    return this.#materialized().blob();
  }

  formData(): Promise<FormData> {
    return this.#materialized().formData();
  }

  json(): Promise<unknown> {
    return this.#jsonText()?.then((text) => JSON.parse(text)) ?? this.#materialized().json();
  }

  text(): Promise<string> {
    return this.#jsonText() ?? this.#materialized().text();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    return this.withHeaders(this.#headers ? Object.fromEntries(this.#headers) : { ...this.#fields });
  }

  /** The same answer with other headers. */
  withHeaders(headers: Record<string, string>): WholeAnswer {
    const init = { status: this.status, headers };
    return new WholeAnswer(this.#bytes, {
      ...init,
      ...(this.#stream ? { stream: this.#stream } : {}),
      ...(this.#json !== undefined ? { json: this.#json } : {}),
    });
  }

  /** The same answer as a plain `Response` whose body reports how it ended, for callers outside the platform. */
  toCountedResponse(onEnd: (outcome: BodyOutcome) => void): Response {
    const init = { status: this.status, statusText: this.statusText, headers: this.#headers ?? this.#fields };
    return new Response(countedStream(this.#bytes, onEnd), init);
  }

  /** The same answer as a plain `Response`, for callers outside the platform. */
  toResponse(): Response {
    return this.#materialized();
  }

  /** The header record while the headers were never read as `Headers` (so never changed), else undefined. */
  static fieldsOf(answer: WholeAnswer): Record<string, string> | undefined {
    return answer.#headers ? undefined : answer.#fields;
  }

  static bytesOf(answer: WholeAnswer): Uint8Array {
    return answer.#bytes;
  }

  static jsonOf(answer: WholeAnswer): string | undefined {
    return answer.#json;
  }

  static awaitEnd(answer: WholeAnswer, end: (outcome: BodyOutcome) => void): void {
    answer.#end = end;
  }

  static takeEnd(answer: WholeAnswer): ((outcome: BodyOutcome) => void) | undefined {
    const end = answer.#end;
    answer.#end = undefined;
    return end;
  }
}

// A `Response` to `instanceof` (openapi-fetch, MSW and hono test for it) without running undici's constructor:
// every member Response.prototype has is the class's own above, so none of undici's brand-checked getters is reached.
Object.setPrototypeOf(WholeAnswer.prototype, Response.prototype);

/** A plain `Response` for a caller of `platform.fetch`: a {@link WholeAnswer} becomes one with a real body. */
export function plainResponse(response: Response): Response {
  return response instanceof WholeAnswer ? response.toResponse() : response;
}

/** The bytes of a {@link WholeAnswer}; undefined for any other response. */
export function wholeBytes(response: Response): Uint8Array | undefined {
  return response instanceof WholeAnswer ? WholeAnswer.bytesOf(response) : undefined;
}

/** The JSON text a {@link WholeAnswer} was made from, if it was made from one. */
export function wholeJson(response: Response): string | undefined {
  return response instanceof WholeAnswer ? WholeAnswer.jsonOf(response) : undefined;
}

/**
 * An answer's header fields without making a `Headers` of them: the record of a {@link WholeAnswer} whose headers
 * nobody read, else the `Headers`.
 */
export function headerFields(response: Response): Record<string, string> | Headers {
  return (response instanceof WholeAnswer && WholeAnswer.fieldsOf(response)) || response.headers;
}

/** One header of an answer by its lower-case name, read as {@link headerFields} does. */
export function headerOf(response: Response, name: string): string | null {
  const fields = headerFields(response);
  if (fields instanceof Headers) return fields.get(name);
  for (const field in fields)
    if (field.length === name.length && field.toLowerCase() === name) return fields[field] ?? null;
  return null;
}

/** Registers what must happen when an adapter has written the bytes of `response` (or failed to). */
export function awaitWholeEnd(response: WholeAnswer, end: (outcome: BodyOutcome) => void): void {
  WholeAnswer.awaitEnd(response, end);
}

/**
 * For an adapter that asked for whole bodies: the bytes to write and the function to call once they are written
 * (or the peer went away), or undefined when the answer must be streamed (a fault shapes it, or it is not bytes
 * the platform holds).
 */
export function takeWhole(response: Response): { bytes: Uint8Array; end(outcome: BodyOutcome): void } | undefined {
  if (!(response instanceof WholeAnswer)) return undefined;
  const end = WholeAnswer.takeEnd(response);
  return end ? { bytes: WholeAnswer.bytesOf(response), end } : undefined;
}
