import type { components } from '../generated/openapi.ts';

/**
 * What the agent persists between fragments, so a restart resumes where the last good byte left off (the OTA
 * SDK guidance: keep token, size, md5, downloaded size and the strategy in flash).
 */
export interface DownloadState {
  token: string;
  target: string;
  size: number;
  md5: string;
  type: components['schemas']['PackageKind'];
  /** Bytes 0..offset-1 are written and good. */
  offset: number;
  /** Fragment retries used so far in this task. */
  retriesUsed: number;
  /** Highest progress step reported, so steps never go down across a restart. */
  progressReported: number;
  /** 101 was accepted: the platform has the device upgrading. */
  downloadReported: boolean;
  /** The image is installed and 201 not yet acknowledged: the next run sends it again before anything else. */
  installed?: boolean;
}

/** Where the agent keeps its state and the image it downloads. Memory and file stores come with the SDK. */
export interface AgentStore {
  /** The state saved last, or undefined when there is none (or it cannot be trusted). */
  load(): Promise<DownloadState | undefined>;
  /** Saves the state; called after the bytes it describes were written. */
  save(state: DownloadState): Promise<void>;
  /** Writes bytes of the image at `offset`. */
  write(offset: number, bytes: Uint8Array): Promise<void>;
  /** The first `size` bytes of the image, in pieces. */
  read(size: number): AsyncIterable<Uint8Array>;
  /** Forgets state and image (after success, or when the task's package changed). */
  clear(): Promise<void>;
}

/**
 * Keeps everything in memory: for tests and hosts that cannot persist. A restart loses the download.
 *
 * @example
 * const agent = new OtaAgent({ ...options, store: new MemoryStore() });
 */
export class MemoryStore implements AgentStore {
  #state: DownloadState | undefined;
  #image = new Uint8Array(0);

  /** The state saved last. */
  async load(): Promise<DownloadState | undefined> {
    return this.#state && { ...this.#state };
  }

  /** Keeps a copy of the state. */
  async save(state: DownloadState): Promise<void> {
    this.#state = { ...state };
  }

  /** Writes bytes at `offset`, growing the image as needed. */
  async write(offset: number, bytes: Uint8Array): Promise<void> {
    if (offset + bytes.length > this.#image.length) {
      // Grow geometrically so a download in many fragments does not copy the image once per fragment.
      const grown = new Uint8Array(Math.max(offset + bytes.length, this.#image.length * 2));
      grown.set(this.#image);
      this.#image = grown;
    }
    this.#image.set(bytes, offset);
  }

  /** The first `size` bytes, 64 KiB at a time. */
  async *read(size: number): AsyncIterable<Uint8Array> {
    for (let offset = 0; offset < size; offset += 65_536)
      yield this.#image.subarray(offset, Math.min(offset + 65_536, size));
  }

  /** Forgets state and image. */
  async clear(): Promise<void> {
    this.#state = undefined;
    this.#image = new Uint8Array(0);
  }
}
