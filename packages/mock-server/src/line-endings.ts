/**
 * @module
 * OneNET's front is nginx, which reads a request line and headers ended by LF alone; HTTP requires CRLF (RFC 9112
 * §2.2) and Node's parser refuses a bare LF. A device whose hand-written HTTP writes `"\n"` works in the field, so
 * the platform serves it too (DECISIONS 71), and says so: each connection's first line is read before Node's HTTP
 * server takes the connection, and one whose first line ends with LF alone is parsed leniently, that connection
 * only. Every request on it is journaled as tolerated (`bareLineFeeds`), which the conformance suite reports.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Bytes read for the first line at most: a longer one is Node's to refuse (its header limit is 16 KiB). */
const firstLineBytes = 16 * 1024;
const carriageReturn = Buffer.from('\r');

/**
 * Puts a first-line reader in front of Node's own connection handling: `event` is `connection` for plain HTTP,
 * `secureConnection` over TLS (the first line is read decrypted). Connections parsed leniently are added to
 * `lenient`, for the door to tell the platform. A connection that sends no whole first line within `firstLineMs`
 * is given to `timedOut` (the door answers 408 and closes it; Node's own header timeout starts only once it has
 * the connection). Returns what closes the connections still being read, which Node's `closeAllConnections` does
 * not know of yet (a browser's preconnection that never sends a byte).
 */
export function tolerateBareLineFeeds(
  server: Server,
  event: 'connection' | 'secureConnection',
  lenient: WeakSet<Socket>,
  firstLineMs: number,
  timedOut: (socket: Socket) => void,
): () => void {
  // Node's HTTP server takes a connection in the one listener it registers for this event.
  const [take] = server.listeners(event) as ((socket: Socket) => void)[];
  if (!take) throw new Error(`node:http registered no ${event} listener to read first lines in front of`);
  server.removeListener(event, take);
  const insecure = server as { insecureHTTPParser?: boolean };
  const handOver = (socket: Socket, bareLineFeed: boolean) => {
    if (!bareLineFeed) {
      take.call(server, socket);
      return;
    }
    lenient.add(socket);
    // Node reads the option when it sets up the connection's parser, in this call: it holds for this connection.
    const before = insecure.insecureHTTPParser;
    insecure.insecureHTTPParser = true;
    try {
      take.call(server, socket);
    } finally {
      insecure.insecureHTTPParser = before;
    }
  };
  const reading = new Set<Socket>();
  // First, so the cap on connections and everything else registered later still see the connection at once.
  server.prependListener(event, (socket: Socket) => {
    reading.add(socket);
    socket.once('close', () => reading.delete(socket));
    readFirstLine(socket, firstLineMs, (read, bareLineFeed) => {
      reading.delete(read);
      if (bareLineFeed === undefined) timedOut(read);
      else handOver(read, bareLineFeed);
    });
  });
  return () => {
    for (const socket of reading) socket.destroy();
  };
}

/**
 * Reads until the first LF (or the limit), puts what it read back, and hands the connection over with whether
 * that line ended with LF alone, or with undefined when no line came in `timeoutMs`. A connection closed before a
 * whole line is closed here: nothing was asked, so nothing is answered.
 */
function readFirstLine(
  socket: Socket,
  timeoutMs: number,
  handOver: (socket: Socket, bareLineFeed: boolean | undefined) => void,
): void {
  const seen: Buffer[] = [];
  let length = 0;
  let done = false;
  /** Hands the connection over; `lineEnd` is where the first line's LF is in what was read, if it came. */
  const finish = (lineEnd?: number) => {
    done = true;
    clearTimeout(timer);
    socket.removeListener('readable', onReadable);
    socket.removeListener('end', onEnd);
    socket.removeListener('error', onError);
    let read = seen.length === 1 ? (seen[0] as Buffer) : Buffer.concat(seen, length);
    const bareLineFeed = lineEnd !== undefined && lineEnd > 0 && read[lineEnd - 1] !== 13;
    // Node's lenient parser reads every bare LF but one: the empty line right after a request line, in a request
    // with no headers at all (an HTTP/1.0 `GET /path HTTP/1.0\n\n`), where it waits for more. Such a request is
    // the last on its connection (HTTP/1.0 without headers does not keep it; HTTP/1.1 without Host is refused and
    // its connection closed), so only a first request line needs its CR.
    if (bareLineFeed && read[lineEnd + 1] === 10)
      read = Buffer.concat([read.subarray(0, lineEnd), carriageReturn, read.subarray(lineEnd)]);
    if (read.length > 0) socket.unshift(read);
    handOver(socket, bareLineFeed);
  };
  const onReadable = () => {
    if (done) return;
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
      const lf = chunk.indexOf(10);
      seen.push(chunk);
      length += chunk.length;
      if (lf >= 0) {
        finish(length - chunk.length + lf);
        return;
      }
      if (length >= firstLineBytes) {
        finish();
        return;
      }
    }
  };
  const onEnd = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.destroy();
  };
  // A reset before the first line is the client's business; unheard, it would end the process.
  const onError = () => onEnd();
  const timer = setTimeout(() => {
    if (done) return;
    done = true;
    socket.removeListener('readable', onReadable);
    handOver(socket, undefined);
  }, timeoutMs);
  timer.unref();
  socket.on('readable', onReadable);
  socket.once('end', onEnd);
  socket.once('error', onError);
}
