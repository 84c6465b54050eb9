// Bench: what a hostile client costs the platform (issue 28). One `ota-mock` process on 127.0.0.1; a device on
// 127.0.0.1 checks for its task every 50 ms throughout, and each phase prints the server's peak RSS over its idle
// RSS and the device's slowest check:
//   1. one chunked upload of 3 M one-byte chunks (goal: peak within 64 MiB of idle);
//   2. 5 000 idle connections and 1 000 that send their headers a line every 500 ms, from other loopback
//      addresses (127.0.0.2–7), held for 15 s (goal: every check answered 200, the slowest under 100 ms);
//   3. the journal filled to its 100 000 entries with 15 KB query values, then read whole (`limit=100000`) as
//      one client would, page after page (goal: the first page within 2 s, RSS growth under 64 MiB).
//
//   pnpm run bench:hostile [--chunks 3000000] [--idle 5000] [--slow 1000] [--entries 100000]
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { demo } from '@onenet-ota/mock-server';
import { startOtaMock } from './ota-mock-process.ts';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '3000000' },
    idle: { type: 'string', default: '5000' },
    slow: { type: 'string', default: '1000' },
    entries: { type: 'string', default: '100000' },
  },
});
const say = (line: string) => process.stdout.write(`${line}\n`);

const { url: baseUrl, process: server } = await startOtaMock([
  ...['--port', '0', '--clock', 'virtual', '--seed', 'demo', '--quiet'],
]);
const { hostname, port } = new URL(baseUrl);
const rssMiB = () => Number(readFileSync(`/proc/${server.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1]) / 1024;

/** The server's peak RSS while `work` runs, sampled every 20 ms. */
async function peakDuring<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssMiB();
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB());
  }, 20);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rssMiB()) };
  } finally {
    clearInterval(sampler);
  }
}

/** A device checking every 50 ms until stopped: the slowest check, and any answer other than 200. */
function device(): { stop(): Promise<{ slowest: number; checks: number; refused: number }> } {
  let running = true;
  let slowest = 0;
  let checks = 0;
  let refused = 0;
  const url = `${baseUrl}/ota/south/check?dev_id=${demo.devId}&manuf=100&model=10001&type=2&version=V1.0&cdn=false`;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const answer = await fetch(url).catch(() => undefined);
      await answer?.arrayBuffer();
      slowest = Math.max(slowest, performance.now() - started);
      checks++;
      if (answer?.status !== 200) refused++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { slowest, checks, refused };
    },
  };
}

const report = (
  phase: string,
  idle: number,
  peak: number,
  checks: Awaited<ReturnType<ReturnType<typeof device>['stop']>>,
) =>
  say(
    `${phase.padEnd(44)} RSS idle ${idle.toFixed(0)} MiB, peak +${(peak - idle).toFixed(0)} MiB; ` +
      `device: ${checks.checks} checks, slowest ${checks.slowest.toFixed(1)} ms, ${checks.refused} not 200`,
  );

// 1. One-byte chunks.
{
  const count = Number(values.chunks);
  const idle = rssMiB();
  const watcher = device();
  const { result: status, peak } = await peakDuring(
    () =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), hostname);
        let answer = '';
        socket.on('data', (data) => {
          answer += data.toString('latin1');
        });
        socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
        socket.on('error', reject);
        const query = new URLSearchParams({ name: 'drip', module: 'sota', targetVersion: 'V9', fileName: 'drip.bin' });
        socket.write(
          `POST /api/v1/products/${demo.productId}/packages?${query} HTTP/1.1\r\nHost: ${hostname}\r\n` +
            'Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
        );
        // Up to 10 000 chunks per write: "1\r\nZ\r\n" each.
        const perWrite = Math.min(10_000, count);
        const block = Buffer.from('1\r\nZ\r\n'.repeat(perWrite));
        let sent = 0;
        const pump = () => {
          while (sent < count) {
            sent += perWrite;
            if (!socket.write(block)) return void socket.once('drain', pump);
          }
          socket.end('0\r\n\r\n');
        };
        pump();
      }),
  );
  report(`1. ${count} one-byte chunks (${status})`, idle, peak, await watcher.stop());
}

// 2. Idle and slow-header connections from other loopback addresses.
{
  const idleCount = Number(values.idle);
  const slowCount = Number(values.slow);
  const idle = rssMiB();
  const watcher = device();
  const open = (localAddress: string) =>
    new Promise<Socket>((resolve) => {
      const socket = connect({ port: Number(port), host: hostname, localAddress });
      socket.on('error', () => {});
      socket.once('connect', () => resolve(socket));
      socket.once('close', () => resolve(socket));
    });
  const { result: closedBy, peak } = await peakDuring(async () => {
    const sockets: Socket[] = [];
    for (let i = 0; i < idleCount; i++) sockets.push(await open(`127.0.0.${2 + (i % 5)}`));
    const slow: Socket[] = [];
    for (let i = 0; i < slowCount; i++) {
      const socket = await open('127.0.0.7');
      socket.write(`GET /api/v1/products HTTP/1.1\r\n`);
      slow.push(socket);
    }
    const drip = setInterval(() => {
      for (const socket of slow) if (!socket.destroyed) socket.write('X-Slow: 1\r\n');
    }, 500);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    clearInterval(drip);
    const closed = [...sockets, ...slow].filter((s) => s.destroyed).length;
    for (const socket of [...sockets, ...slow]) socket.destroy();
    return closed;
  });
  report(`2. ${idleCount} idle + ${slowCount} slow, 15 s (${closedBy} closed)`, idle, peak, await watcher.stop());
}

// 3. The journal at its maximum, read whole.
{
  const entries = Number(values.entries);
  const big = 'q'.repeat(15_000);
  let next = 0;
  const fill = async () => {
    while (next < entries) {
      next++;
      await (
        await fetch(`${baseUrl}/ota/south/check?dev_id=${demo.devId}&type=2&version=V1.0&pad=${big}`)
      ).arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 32 }, fill));
  const idle = rssMiB();
  const watcher = device();
  const { result, peak } = await peakDuring(async () => {
    const started = performance.now();
    let firstPage = 0;
    let since = 0;
    let pages = 0;
    let read = 0;
    for (;;) {
      const page = (await (await fetch(`${baseUrl}/__mock/journal?limit=100000&since=${since}`)).json()) as {
        entries: { seq: number }[];
        truncated?: boolean;
      };
      if (pages++ === 0) firstPage = performance.now() - started;
      read += page.entries.length;
      if (!page.truncated) break;
      since = page.entries.at(-1)?.seq ?? since;
    }
    return { firstPage, all: performance.now() - started, pages, read };
  });
  report(
    `3. journal of ${entries} read: first page ${(result.firstPage / 1000).toFixed(2)} s, all ${result.read} in ${result.pages} pages ${(result.all / 1000).toFixed(2)} s`,
    idle,
    peak,
    await watcher.stop(),
  );
}

server.kill('SIGTERM');
