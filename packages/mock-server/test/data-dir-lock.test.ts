import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataDir } from '../src/node.ts';

// The lock of a data directory, taken by real processes started at the same instant (issue 28: a check-then-write
// lock let both of two come up in 2 of 20 starts, and the second server's writes replaced the first's).
const root = mkdtempSync(join(tmpdir(), 'ota-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Opens the directory at the instant given (sleeping, then spinning the last milliseconds, so that two openers
// on two cores call openDataDir within microseconds), says whether it got it, and holds it for the time given.
const opener = join(root, 'open.ts');
writeFileSync(
  opener,
  `import { openDataDir } from ${JSON.stringify(new URL('../src/data-dir.ts', import.meta.url).pathname)};
const at = Number(process.argv[4] ?? 0);
await new Promise((resolve) => setTimeout(resolve, at - Date.now() - 20));
while (Date.now() < at);
try {
  const store = openDataDir(process.argv[2]);
  console.log('open ' + process.pid);
  setTimeout(() => store.close(), Number(process.argv[3]));
} catch (error) {
  console.log('refused ' + error.message);
}
`,
);
const run = promisify(execFile);

/** Starts an opener holding the directory until killed; resolves with its first line, and the process. */
function attempt(dir: string, at: number): Promise<{ line: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--no-warnings', opener, dir, '600000', String(at)]);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve({ line: out.split('\n')[0] as string, child });
    });
    child.once('exit', (code) => reject(new Error(`the opener exited ${code} before it said anything`)));
  });
}

describe('a data directory opened by two processes at once', () => {
  it('is opened by exactly one of the two, 50 times out of 50', async () => {
    const outcomes: string[] = [];
    // Ten directories at a time: twenty processes start, and the two of a directory open it at the same instant,
    // 100 ms after the pair before; each holds what it got until both have spoken.
    for (let batch = 0; batch < 5; batch++) {
      const start = Date.now() + 1500;
      const rounds = Array.from({ length: 10 }, async (_, i) => {
        const dir = join(root, `race-${batch}-${i}`);
        const at = start + i * 100;
        const both = await Promise.all([attempt(dir, at), attempt(dir, at)]);
        await Promise.all(both.map(({ child }) => stopped(child)));
        return both
          .map(({ line }) => line.split(' ')[0])
          .sort()
          .join('+');
      });
      outcomes.push(...(await Promise.all(rounds)));
    }
    expect(outcomes).toHaveLength(50);
    expect(new Set(outcomes)).toEqual(new Set(['open+refused']));
  }, 120_000);

  it('is free again once its holder is killed, also while the dead holder lingers as a zombie', async () => {
    const dir = join(root, 'zombie');
    // `exec sleep` leaves the opener a child of a process that never reaps it: killed, it stays a zombie.
    const parent = spawn('sh', [
      '-c',
      `"${process.execPath}" --no-warnings "${opener}" "${dir}" 60000 & exec sleep 30`,
    ]);
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.on('data', (chunk: Buffer) => {
        const match = /open (\d+)/.exec(chunk.toString());
        if (match) resolve(Number(match[1]));
      }),
    );
    expect(() => openDataDir(dir)).toThrow(new RegExp(`in use by another ota-mock \\(pid ${pid}\\)`));
    process.kill(pid, 'SIGKILL');
    // The process is gone but not reaped: kill(pid, 0) still finds it, which fooled a pid-file lock.
    await waitFor(async () => (await run('ps', ['-o', 'stat=', '-p', String(pid)])).stdout.trim().startsWith('Z'));
    expect(() => process.kill(pid, 0)).not.toThrow();
    openDataDir(dir).close();
    parent.kill('SIGKILL');
  }, 30_000);
});

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await condition().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition never held');
}
