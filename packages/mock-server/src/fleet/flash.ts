import { createHash, type Hash } from 'node:crypto';
import type { AgentStore, DownloadState } from '@onenet-ota/sdk';

/**
 * A simulated device's flash: the agent's saved state and the package as a running md5 and a length, not the
 * bytes (ten thousand devices holding 256 KiB each would need 2.5 GB). What a reboot keeps is the device's choice.
 */
export class Flash {
  state: DownloadState | undefined;
  #hash: Hash = createHash('md5');
  length = 0;

  /** Takes the bytes at `offset`: a resumed download may ask again for bytes already kept; they are skipped. */
  write(offset: number, bytes: Uint8Array): void {
    const skip = Math.max(0, this.length - offset);
    if (offset > this.length) throw new Error(`flash: a write at ${offset} past the ${this.length} bytes kept`);
    if (skip < bytes.length) {
      this.#hash.update(bytes.subarray(skip));
      this.length += bytes.length - skip;
    }
  }

  /** The md5 of what is kept (the hash goes on being usable). */
  md5(): string {
    return this.#hash.copy().digest('hex');
  }

  erase(): void {
    this.#hash = createHash('md5');
    this.length = 0;
  }
}

/** The agent's store over a flash; every call fails once the device has lost power. */
export function flashStore(flash: Flash, dead: () => boolean): AgentStore {
  const alive = () => {
    if (dead()) throw new Error('power cut');
  };
  return {
    async load() {
      alive();
      return flash.state ? { ...flash.state } : undefined;
    },
    async save(state) {
      alive();
      flash.state = { ...state };
    },
    async write(offset, bytes) {
      alive();
      flash.write(offset, bytes);
    },
    // The bytes are not kept: the device verifies the running md5 instead (its `verify`), and installs nothing.
    read() {
      alive();
      return (async function* nothing(): AsyncGenerator<Uint8Array> {})();
    },
    async clear() {
      alive();
      flash.state = undefined;
      flash.erase();
    },
  };
}
