// Node hands the headers of a request over as one flat list, [name, value, name, value, …], as they came. The node
// door reads them through RawHeaders instead of building a WHATWG Headers, and the journal keeps the list itself
// and makes the header object of an entry only when it is read.

/** A flat header list, names as sent, read as the fetch standard shows headers (names lower-cased, repeats joined by ", ", sorted). */
export function headerEntries(raw: readonly string[]): [string, string][] {
  return [...joined(raw)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function joined(raw: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const before = values.get(name);
    values.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return values;
}

/** Raw list entries (names and values) up to which a lookup scans the list instead of building a map. */
const scanned = 24;

/** Headers read from Node's raw list, with the members of `Headers` the platform uses. */
export class RawHeaders {
  /** The list as Node read it: names as sent, values as sent. */
  readonly raw: readonly string[];
  #values: Map<string, string> | undefined;

  constructor(raw: readonly string[]) {
    this.raw = raw;
  }

  get(name: string): string | null {
    const lower = name.toLowerCase();
    if (this.raw.length > scanned) return this.#map().get(lower) ?? null;
    // A device sends a handful of headers: scanning them costs less than building a map of them.
    let value: string | null = null;
    for (let i = 0; i < this.raw.length; i += 2) {
      const sent = this.raw[i] as string;
      if (sent.length !== lower.length || (sent !== lower && sent.toLowerCase() !== lower)) continue;
      value = value === null ? (this.raw[i + 1] as string) : `${value}, ${this.raw[i + 1]}`;
    }
    return value;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  /** The first value sent under `name`: what Node keeps of a repeated `Host`. */
  first(name: string): string | null {
    const lower = name.toLowerCase();
    for (let i = 0; i < this.raw.length; i += 2) {
      const sent = this.raw[i] as string;
      if (sent.length === lower.length && (sent === lower || sent.toLowerCase() === lower))
        return this.raw[i + 1] as string;
    }
    return null;
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this) callback(value, name);
  }

  entries(): IterableIterator<[string, string]> {
    return headerEntries(this.raw)[Symbol.iterator]();
  }

  keys(): IterableIterator<string> {
    return headerEntries(this.raw)
      .map(([name]) => name)
      [Symbol.iterator]();
  }

  values(): IterableIterator<string> {
    return headerEntries(this.raw)
      .map(([, value]) => value)
      [Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  // Made at the first lookup; most requests are looked up a few times, and some never.
  #map(): Map<string, string> {
    this.#values ??= joined(this.raw);
    return this.#values;
  }
}
