import type { IncomingMessage } from 'node:http';

// The node door hands the platform what it reads of a request (method, url, headers, body) without building a
// WHATWG Request: at tens of thousands of device calls a second, undici's Request (its Headers list, an
// AbortSignal, body extraction) costs more than the platform's own work. MSW and in-process callers still pass
// real Requests; the platform reads only these four members of either.

/** Headers as the fetch standard shows them (names lower-cased, repeats joined by ", "), read from Node's raw list. */
class RawHeaders {
  readonly #values = new Map<string, string>();

  constructor(raw: string[]) {
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      const value = raw[i + 1] as string;
      const before = this.#values.get(name);
      this.#values.set(name, before === undefined ? value : `${before}, ${value}`);
    }
  }

  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this) callback(value, name);
  }

  *entries(): IterableIterator<[string, string]> {
    // Sorted by name, as Headers iterates.
    yield* [...this.#values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  keys(): IterableIterator<string> {
    return [...this.entries()].map(([name]) => name)[Symbol.iterator]();
  }

  values(): IterableIterator<string> {
    return [...this.entries()].map(([, value]) => value)[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** The request the platform reads, made from Node's; `body` is the stream the caller built, or null for GET/HEAD. */
export function nodeRequest(req: IncomingMessage, url: URL, body: ReadableStream<Uint8Array> | null): Request {
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url: url.href,
    headers: new RawHeaders(req.rawHeaders),
    body,
  } as unknown as Request;
}
