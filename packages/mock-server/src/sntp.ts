/**
 * @module
 * An SNTP server of platform time (RFC 4330, over UDP), so a board on the bench that sets its clock by NTP sees
 * the time the platform judges tokens and deadlines by, virtual clock jumps included.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Clock } from './core/domain/clock.ts';

/** Seconds from the NTP era (1900-01-01) to the Unix epoch (RFC 4330 §3). */
const ntpEpochOffset = 2_208_988_800;

/** Options of {@link startSntpServer}. */
export interface SntpServerOptions {
  /** The platform's clock: what the server tells. */
  clock: Pick<Clock, 'now'>;
  /** `127.0.0.1` by default. */
  host?: string;
  /** 123 by default (a privileged port); 0 picks a free one. */
  port?: number;
}

/** A listening SNTP server. */
export interface RunningSntpServer {
  /** The UDP port bound. */
  port: number;
  host: string;
  /** Stops answering and frees the port. */
  close(): Promise<void>;
}

/**
 * Answers every well-formed client request (mode 3, versions 1–4) as a stratum-1 server whose reference is the
 * platform's clock: receive and transmit timestamps in platform time, the client's transmit time echoed as the
 * originate timestamp (RFC 4330 §5). Anything else (a short packet, another mode) is dropped unanswered, as a
 * server must not answer what is not a request.
 *
 * @example
 * const sntp = await startSntpServer({ clock: platform.clock, port: 0 });
 */
export async function startSntpServer(options: SntpServerOptions): Promise<RunningSntpServer> {
  const { clock, host = '127.0.0.1', port = 123 } = options;
  const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (request, peer) => {
    const answer = sntpAnswer(request, clock.now());
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  // A send to a peer that went away must not end the server.
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const address = socket.address() as AddressInfo;
  return {
    port: address.port,
    host: address.address,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The 48-byte answer to an SNTP request at platform time `nowMs`, or undefined for what is not a request. */
export function sntpAnswer(request: Uint8Array, nowMs: number): Buffer | undefined {
  if (request.length < 48) return undefined;
  const first = request[0] as number;
  const version = (first >> 3) & 7;
  const mode = first & 7;
  if (mode !== 3 || version < 1 || version > 4) return undefined;
  const answer = Buffer.alloc(48);
  // LI 0 (no warning), the client's version, mode 4 (server).
  answer[0] = (version << 3) | 4;
  answer[1] = 1; // stratum 1: a primary reference
  answer[2] = request[2] as number; // poll interval, echoed
  answer[3] = 0xec; // precision 2^-20 s
  // Root delay and dispersion 0; reference id "LOCL" (an uncalibrated local clock: the platform's).
  answer.write('LOCL', 12, 'ascii');
  writeTimestamp(answer, 16, nowMs); // reference: the clock is its own reference
  Buffer.from(request.buffer, request.byteOffset + 40, 8).copy(answer, 24); // originate = the client's transmit
  writeTimestamp(answer, 32, nowMs); // receive
  writeTimestamp(answer, 40, nowMs); // transmit
  return answer;
}

function writeTimestamp(packet: Buffer, at: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.round(((ms - seconds * 1000) / 1000) * 2 ** 32);
  // The NTP era rolls over in 2036; its 32-bit seconds wrap as RFC 4330 §3 says.
  packet.writeUInt32BE((seconds + ntpEpochOffset) % 2 ** 32, at);
  packet.writeUInt32BE(Math.min(fraction, 2 ** 32 - 1), at + 4);
}
