import { type BodyOutcome, countedStream } from './answer-body.ts';

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
  /** The JSON text the body is, kept for the journal (an envelope, a problem). */
  json?: string;
  /** The body's length in bytes, when the maker counted it already (text): not counted again. */
  size?: number;
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
  /** The body: bytes, or text encoded as UTF-8 only when bytes are asked for (a JSON answer the door writes as text). */
  #body: Uint8Array | string;
  readonly #size: number;
  readonly #fields: Record<string, string>;
  readonly #stream: (() => ReadableStream<Uint8Array>) | undefined;
  readonly #json: string | undefined;
  #headers: Headers | undefined;
  #real: Response | undefined;
  #end: ((outcome: BodyOutcome) => void) | undefined;
  /** The body was read from the JSON text, without a stream. */
  #read = false;

  /** `body` as text is the answer's UTF-8 text; `init.headers` must give its length in bytes (`Content-Length`). */
  constructor(body: Uint8Array | string, init: WholeInit) {
    this.status = init.status;
    this.#body = body;
    this.#size = init.size ?? (typeof body === 'string' ? utf8Length(body) : body.length);
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

  #bytes(): Uint8Array {
    if (typeof this.#body === 'string') this.#body = encoder.encode(this.#body);
    return this.#body;
  }

  #materialized(): Response {
    const init = { status: this.status, statusText: this.statusText, headers: this.#headers ?? this.#fields };
    // One Response with the bytes as its body: what a plain answer would have cost, no more.
    this.#real ??= new Response(this.#stream ? this.#stream() : (this.#bytes() as Uint8Array<ArrayBuffer>), init);
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
    return new WholeAnswer(this.#body, {
      ...init,
      size: this.#size,
      ...(this.#stream ? { stream: this.#stream } : {}),
      ...(this.#json !== undefined ? { json: this.#json } : {}),
    });
  }

  /** The same answer as a plain `Response` whose body reports how it ended, for callers outside the platform. */
  toCountedResponse(onEnd: (outcome: BodyOutcome) => void): Response {
    const init = { status: this.status, statusText: this.statusText, headers: this.#headers ?? this.#fields };
    return new Response(countedStream(this.#bytes(), onEnd), init);
  }

  /** The same answer as a plain `Response`, for callers outside the platform. */
  toResponse(): Response {
    return this.#materialized();
  }

  /** The header record while the headers were never read as `Headers` (so never changed), else undefined. */
  static fieldsOf(answer: WholeAnswer): Record<string, string> | undefined {
    return answer.#headers ? undefined : answer.#fields;
  }

  static bodyOf(answer: WholeAnswer): Uint8Array | string {
    return answer.#body;
  }

  static sizeOf(answer: WholeAnswer): number {
    return answer.#size;
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

/** The length in bytes of a {@link WholeAnswer}'s body; undefined for any other response. */
export function wholeSize(response: Response): number | undefined {
  return response instanceof WholeAnswer ? WholeAnswer.sizeOf(response) : undefined;
}

const encoder = new TextEncoder();

/** The length of `text` encoded as UTF-8: encoded into a scratch buffer when it fits (every envelope), else counted. */
export function utf8Length(text: string): number {
  // Encoding a short text costs less than testing it for non-ASCII with a regular expression (46 vs 120 ns for a
  // check's answer); the bytes are thrown away, only their count is kept.
  if (text.length <= scratch.length) {
    const { read, written } = encoder.encodeInto(text, scratch);
    if (read === text.length) return written;
  }
  if (!nonAscii.test(text)) return text.length;
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) length += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two UTF-16 units, four bytes.
      length += 2;
      i++;
    } else length += 2; // Three bytes, a lone surrogate included (encoded as U+FFFD).
  }
  return length;
}

const nonAscii = /[\u0080-\uffff]/;
const scratch = new Uint8Array(4096);

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
 * For an adapter that asked for whole bodies: the body to write (bytes, or text to write as UTF-8), its length in
 * bytes, and the function to call once it is written (or the peer went away), or undefined when the answer must be streamed (a fault shapes it, or it is not bytes
 * the platform holds).
 */
export function takeWhole(
  response: Response,
): { body: Uint8Array | string; size: number; end(outcome: BodyOutcome): void } | undefined {
  if (!(response instanceof WholeAnswer)) return undefined;
  const end = WholeAnswer.takeEnd(response);
  return end ? { body: WholeAnswer.bodyOf(response), size: WholeAnswer.sizeOf(response), end } : undefined;
}
