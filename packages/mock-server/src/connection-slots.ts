import type { Socket } from 'node:net';

/**
 * The connections the node door serves at once, and who gives way when they are all taken. A connection is
 * *waiting* while it has no request in progress: from its accept until its first request's headers are complete,
 * and again between requests on a kept-alive connection. When a connection past the cap comes, the oldest waiting
 * connection of the peer that holds the most waiting ones is closed to make room, as nginx closes reusable
 * connections when it runs out (`ngx_drain_connections`): idle and slow-header sockets, which used to hold every
 * slot and have each device check answered 503 for minutes (issue 28), make way for a device with a request, and
 * one peer cannot push another's connections out while it holds more than they do. Only when every connection is
 * in a request is the newcomer over the cap (it gets a 503 to its first request and is closed).
 */
export class ConnectionSlots {
  readonly #max: number;
  #open = 0;
  // Per peer address, its waiting sockets, oldest first (a Set keeps insertion order).
  readonly #waiting = new Map<string, Set<Socket>>();
  readonly #peerOf = new WeakMap<Socket, string>();
  readonly #over = new WeakSet<Socket>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Takes a new connection; closes a waiting one when the cap is reached, or marks this one over the cap. */
  accept(socket: Socket): void {
    const peer = socket.remoteAddress ?? '';
    this.#peerOf.set(socket, peer);
    this.#open++;
    socket.once('close', () => {
      this.#open--;
      this.#leave(socket);
    });
    if (this.#open > this.#max && !this.#evict()) this.#over.add(socket);
    else this.waiting(socket);
  }

  /** Whether the connection came past the cap with no waiting connection to give way. */
  isOver(socket: Socket): boolean {
    return this.#over.has(socket);
  }

  /** A request's headers are complete on it: it holds its slot until the answer is written. */
  busy(socket: Socket): void {
    this.#leave(socket);
  }

  /** Its answer is written and it stays open for the next request. */
  waiting(socket: Socket): void {
    if (socket.destroyed || this.#over.has(socket)) return;
    const peer = this.#peerOf.get(socket) ?? '';
    const sockets = this.#waiting.get(peer) ?? new Set<Socket>();
    if (sockets.size === 0) this.#waiting.set(peer, sockets);
    sockets.add(socket);
  }

  #leave(socket: Socket): void {
    const peer = this.#peerOf.get(socket) ?? '';
    const sockets = this.#waiting.get(peer);
    if (!sockets?.delete(socket)) return;
    if (sockets.size === 0) this.#waiting.delete(peer);
  }

  /** Closes the oldest waiting connection of the peer with the most; false when none is waiting. */
  #evict(): boolean {
    let most: Set<Socket> | undefined;
    for (const sockets of this.#waiting.values()) if (!most || sockets.size > most.size) most = sockets;
    const oldest = most?.values().next().value;
    if (!oldest) return false;
    this.#leave(oldest);
    oldest.destroy();
    return true;
  }
}
