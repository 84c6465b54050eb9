import { constants, createReadStream } from 'node:fs';
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
  // The directory is made once: a download writes hundreds of fragments.
  #made: Promise<unknown> | undefined;

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
    await this.#mkdir();
    await writeFile(`${this.#state}.tmp`, JSON.stringify(state));
    await rename(`${this.#state}.tmp`, this.#state);
  }

  /** Writes bytes into `image.part` at `offset`. */
  async write(offset: number, bytes: Uint8Array): Promise<void> {
    await this.#mkdir();
    // Read-write and created if missing, never truncated or appended to: the bytes land at `offset`.
    const file = await open(this.#image, constants.O_RDWR | constants.O_CREAT);
    try {
      await file.write(bytes, 0, bytes.length, offset);
    } finally {
      await file.close();
    }
  }

  #mkdir(): Promise<unknown> {
    this.#made ??= mkdir(this.#dir, { recursive: true }).catch((error: unknown) => {
      this.#made = undefined;
      throw error;
    });
    return this.#made;
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
