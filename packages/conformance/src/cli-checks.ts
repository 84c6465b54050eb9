import { createSocket } from 'node:dgram';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

// What the CLI can find wrong before a run of minutes starts, said in one line then: a port another program holds
// (it failed after the first case, with a stack trace), a report directory that is a file or cannot be written (it
// failed after the whole run, the reports lost).

/** Why `--report-dir` cannot take the reports, or undefined; the directory is made if it is missing. */
export async function reportDirProblem(dir: string): Promise<string | undefined> {
  const found = await stat(dir).catch(() => undefined);
  if (found && !found.isDirectory()) return `--report-dir ${dir} is a file, not a directory`;
  const probe = join(dir, `.ota-conformance-${process.pid}`);
  const attempt = (async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  })().then(
    () => undefined,
    (error: NodeJS.ErrnoException) => `--report-dir ${dir} cannot be written (${error.code ?? error.message})`,
  );
  // A directory on a hung network mount or a FIFO in the way never answers: give up rather than wait.
  const late = new Promise<string>((resolve) =>
    setTimeout(() => resolve(`--report-dir ${dir} did not answer a write within 5 s`), 5000).unref(),
  );
  return Promise.race([attempt, late]);
}

/** Why a TCP port cannot be listened on at `host`, or undefined (0 picks a free one: never a problem). */
export function tcpPortProblem(flag: string, host: string, port: number): Promise<string | undefined> {
  if (port === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(
        `${flag} ${port}: ${error.code === 'EADDRINUSE' ? `another program listens on ${host}:${port}` : error.code}`,
      ),
    );
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

/** Why a UDP port cannot be bound at `host`, or undefined. */
export function udpPortProblem(flag: string, host: string, port: number): Promise<string | undefined> {
  if (port === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve(
        `${flag} ${port}: ${error.code === 'EADDRINUSE' ? `another program uses udp ${host}:${port}` : error.code}`,
      );
    });
    socket.bind(port, host, () => socket.close(() => resolve(undefined)));
  });
}
