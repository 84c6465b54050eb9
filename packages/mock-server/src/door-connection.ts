import type { Socket } from 'node:net';

/**
 * What the node door remembers of one connection between its requests: how many it carried, its last URL and its
 * last Authorization. A device on a kept-alive connection asks the same URL again and again, with the same token:
 * a poll repeats its check, a download loop its package URL with the next Range. The last URL is handed out again
 * when Host and request target are the same instead of being parsed once more (the URL and its query cost a
 * microsecond a task check, perf). The platform never changes a request's URL; the journal keeps its text.
 */
export class DoorConnection {
  /** Requests it has carried, the one being read included. */
  served = 0;
  #host: string | null = null;
  #target = '';
  #url: URL | undefined;
  #authorization = '';

  /** The URL of the last request when it named the same Host and target, else undefined. */
  lastUrl(host: string | null, target: string): URL | undefined {
    return this.#url !== undefined && this.#target === target && this.#host === host ? this.#url : undefined;
  }

  /**
   * Puts the last request's Authorization string in `raw` (Node's header list, read by the platform) where this
   * request sent the same text. The platform looks verified headers up in a map, and a string seen before carries
   * its hash: hashing a 150-character header anew was a fifth of a microsecond a call (perf).
   */
  sameAuthorization(raw: string[]): void {
    for (let i = 0; i < raw.length - 1; i += 2) {
      const name = raw[i] as string;
      if (name.length !== 13 || (name !== 'Authorization' && name.toLowerCase() !== 'authorization')) continue;
      const value = raw[i + 1] as string;
      if (value === this.#authorization) raw[i + 1] = this.#authorization;
      else this.#authorization = value;
    }
  }

  /** Keeps the URL parsed from `host` and `target` for the next request. */
  keepUrl(host: string | null, target: string, url: URL): void {
    this.#host = host;
    this.#target = target;
    this.#url = url;
  }
}

/** The door's connections, each found by its socket; made when its first request comes. */
export class DoorConnections {
  readonly #of = new WeakMap<Socket, DoorConnection>();

  of(socket: Socket): DoorConnection {
    let connection = this.#of.get(socket);
    if (!connection) {
      connection = new DoorConnection();
      this.#of.set(socket, connection);
    }
    return connection;
  }
}
