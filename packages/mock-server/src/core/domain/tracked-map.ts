/**
 * A Map that remembers which keys were read, written or deleted since it was last drained, so a durable store
 * writes only the records a request could have changed. Handlers mutate records in place after `get`, so a read
 * counts as a possible change; a value kept across requests and changed later (a download whose body finished
 * streaming, a background job) is reported with {@link changed}.
 *
 * Iterating marks every key only where `iterationTouches` is set: small collections whose records handlers change
 * while iterating (tasks, groups). Per-device collections are iterated read-only, and marking them would make every
 * request rewrite the fleet.
 */
export class TrackedMap<K, V> extends Map<K, V> {
  #touched = new Set<K>();
  #iterationTouches = false;

  /** A tracked copy of `entries`, every key marked (a new map is all news to the store). */
  static from<K, V>(entries: Iterable<[K, V]>, iterationTouches: boolean): TrackedMap<K, V> {
    const map = new TrackedMap<K, V>();
    map.#iterationTouches = iterationTouches;
    for (const [key, value] of entries) map.set(key, value);
    return map;
  }

  override get(key: K): V | undefined {
    this.#touched.add(key);
    return super.get(key);
  }

  override set(key: K, value: V): this {
    this.#touched.add(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.#touched.add(key);
    return super.delete(key);
  }

  override clear(): void {
    for (const key of super.keys()) this.#touched.add(key);
    super.clear();
  }

  override values(): MapIterator<V> {
    this.#touchAll();
    return super.values();
  }

  override entries(): MapIterator<[K, V]> {
    this.#touchAll();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    this.#touchAll();
    super.forEach(callback, thisArg);
  }

  /** Marks a key changed without reading it. */
  touch(key: K): void {
    this.#touched.add(key);
  }

  /** The keys touched since the last drain; starts a new round. */
  drain(): K[] {
    const keys = [...this.#touched];
    this.#touched.clear();
    return keys;
  }

  /** The value without marking it (the store reading what to write). */
  peek(key: K): V | undefined {
    return super.get(key);
  }

  #touchAll(): void {
    if (this.#iterationTouches) for (const key of super.keys()) this.#touched.add(key);
  }
}

/** Tells a durable store that the record at `key` changed outside the request that read it. */
export function changed<K, V>(map: Map<K, V>, key: K): void {
  if (map instanceof TrackedMap) map.touch(key);
}
