// An `ota-mock` process for a bench: started with these flags, resolved once it listens, with its URL.
import { type ChildProcess, spawn } from 'node:child_process';

/** Starts `ota-mock` with `args` (its stdout read until it listens, then dropped); its stderr is the bench's. */
export async function startOtaMock(args: string[]): Promise<{ url: string; process: ChildProcess }> {
  const server = spawn(process.execPath, ['packages/mock-server/bin/ota-mock.ts', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const reading = (chunk: Buffer) => {
      output += chunk;
      const listening = output.match(/listening on (http:\/\/\S+)/)?.[1];
      if (!listening || !output.includes('Ctrl-C stops')) return;
      server.stdout?.off('data', reading);
      server.stdout?.resume();
      resolve(listening);
    };
    server.stdout?.on('data', reading);
    server.once('exit', (code) => reject(new Error(`ota-mock exited with ${code}`)));
  });
  return { url, process: server };
}
