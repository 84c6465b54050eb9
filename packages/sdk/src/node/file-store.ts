import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStore, DownloadState } from '../agent/store.ts';

/**
 * Keeps the agent's state and the image in a directory (`state.json`, `image.part`), so a device killed
 * mid-download resumes from its last good byte. The state is replaced atomically (write, then rename) and
 * written after the bytes it describes, so it never claims bytes that are not on disk.
 *
 * @example
 * const agent = new OtaAgent({ ...options, store: new FileStore('/var/lib/ota') });
 */
export class FileStore implements AgentStore {
  readonly #dir: string;
  readonly #state: string;
  readonly #image: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.#state = join(dir, 'state.json');
    this.#image = join(dir, 'image.part');
  }

  /** The saved state, or undefined when it is missing or torn. */
  async load(): Promise<DownloadState | undefined> {
    try {
      return JSON.parse(await readFile(this.#state, 'utf8')) as DownloadState;
    } catch {
      // Missing or torn: start the download again rather than trust it.
      return undefined;
    }
  }

  /** Replaces `state.json` atomically. */
  async save(state: DownloadState): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await writeFile(`${this.#state}.tmp`, JSON.stringify(state));
    await rename(`${this.#state}.tmp`, this.#state);
  }

  /** Writes bytes into `image.part` at `offset`. */
  async write(offset: number, bytes: Uint8Array): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const file = await open(this.#image, 'a+')
      .then((f) => f.close())
      .then(() => open(this.#image, 'r+'));
    try {
      await file.write(bytes, 0, bytes.length, offset);
    } finally {
      await file.close();
    }
  }

  /** Streams the first `size` bytes of `image.part`. */
  async *read(size: number): AsyncIterable<Uint8Array> {
    if (size === 0) return;
    yield* createReadStream(this.#image, { start: 0, end: size - 1 }) as AsyncIterable<Uint8Array>;
  }

  /** Deletes both files. */
  async clear(): Promise<void> {
    await rm(this.#state, { force: true });
    await rm(this.#image, { force: true });
  }
}
