/**
 * @module
 * Prism from the same spec: its stateless mock (`prism mock`), or its validating proxy (`prism proxy --errors`)
 * in front of a server, which answers 500 with `sl-violations` whenever a request or answer breaks the spec.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { specPath } from '@onenet-ota/openapi';

/** Options of {@link startPrism}. */
export interface PrismOptions {
  host?: string;
  /** Prism cannot bind port 0; without a port (or with 0) a free one is picked. */
  port?: number;
  /** With an upstream URL, Prism proxies to it and validates both ways; without, it mocks from examples. */
  upstream?: string;
  /** Where Prism's log lines go; dropped by default. */
  log?: (line: string) => void;
}

/** A running Prism process. */
export interface RunningPrism {
  url: string;
  /** Stops the Prism process. */
  stop(): Promise<void>;
}

/** Prism is an optional peer: large, and needed only for `--prism` and spec-only mocking. */
function prismCli(): string {
  try {
    return createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');
  } catch {
    throw new PrismMissingError('Prism is not installed: npm i -D @stoplight/prism-cli@5.16.0');
  }
}

/** `@stoplight/prism-cli` is not installed beside the mock platform. */
export class PrismMissingError extends Error {
  override name = 'PrismMissingError';
  /** Read by the bins, which print the message in one line. */
  readonly code = 'ERR_PRISM_MISSING';
}

/** Starts Prism on the spec with the Node running this process, and resolves once it listens. */
export async function startPrism({
  host = '127.0.0.1',
  port = 0,
  upstream,
  log = () => {},
}: PrismOptions): Promise<RunningPrism> {
  if (port === 0) port = await freePort(host);
  const cli = prismCli();
  const mode = upstream ? ['proxy', '--errors', specPath, upstream] : ['mock', specPath];
  const child = spawn(process.execPath, [cli, ...mode, '-h', host, '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise<RunningPrism>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`prism exited with ${code} before listening`));
    child.once('error', reject);
    child.once('exit', onExit);
    child.stderr.on('data', (chunk: Buffer) => log(chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log(text);
      if (!text.includes('Prism is listening')) return;
      child.off('exit', onExit);
      resolve({
        url: `http://${host}:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill();
          }),
      });
    });
  });
}

/** A port that was free a moment ago (Prism binds its own socket, so it cannot be handed one). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
