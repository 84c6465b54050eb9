import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellWord } from '@onenet-ota/sdk/node';
import type { DiffGenerator } from './core/context.ts';

/** Options of {@link commandDiffs}. */
export interface DiffCommandOptions {
  /** A shell command with `{old}`, `{new}` and `{out}`: the base image, the target image, where the patch goes. */
  command: string;
  /** Give up after this long; 60 s by default. */
  timeoutMs?: number;
  /** Refuse a patch larger than this many times the target image; 10 by default. */
  maxRatio?: number;
}

/**
 * A differential-package generator that runs the firmware team's own tool (bsdiff, HDiffPatch, detools, a vendor
 * tool) instead of the built-in VCDIFF encoder: `ota-mock --diff-cmd 'bsdiff {old} {new} {out}'`. The command runs
 * in a process group of its own, off the event loop; one that fails, outlives `timeoutMs` or writes more than
 * `maxRatio` times the image is stopped and the generation fails with why (the job's `error`), never the platform.
 *
 * @example
 * createPlatform({ generateDiff: commandDiffs({ command: 'bsdiff {old} {new} {out}' }), diffFormat: 'bsdiff40' });
 */
export function commandDiffs(options: DiffCommandOptions): DiffGenerator {
  const { command, timeoutMs = 60_000, maxRatio = 10 } = options;
  return async (base, target) => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-diff-'));
    try {
      const paths = { old: join(dir, 'old.bin'), new: join(dir, 'new.bin'), out: join(dir, 'patch.bin') };
      await writeFile(paths.old, base);
      await writeFile(paths.new, target);
      const line = command.replace(/\{(old|new|out)\}/g, (_, name: keyof typeof paths) => shellWord(paths[name]));
      const limit = Math.max(1024, target.length * maxRatio);
      await run(line, timeoutMs, paths.out, limit, `${maxRatio}× the ${target.length}-byte image`);
      const written = await stat(paths.out).catch(() => undefined);
      if (!written) throw new Error(`the diff command wrote nothing to {out}: ${command}`);
      if (written.size > limit)
        throw new Error(
          `the diff command wrote ${written.size} bytes, over ${maxRatio}× the ${target.length}-byte image`,
        );
      return new Uint8Array(await readFile(paths.out));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** Runs a shell line, stopping it (its whole process group) past the time or when its output grows past `limit`. */
function run(line: string, timeoutMs: number, out: string, limit: number, limitText: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', line], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2048);
    });
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // Gone already.
      }
    };
    const timer = setTimeout(() => stop(`did not finish within ${timeoutMs / 1000} s`), timeoutMs);
    const watch = setInterval(() => {
      void stat(out).then(
        (s) => s.size > limit && stop(`was writing more than ${limitText}`),
        () => {},
      );
    }, 100);
    child.once('error', (error) => {
      clearTimeout(timer);
      clearInterval(watch);
      reject(new Error(`the diff command could not start: ${error.message}`));
    });
    child.once('close', (exitStatus, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      const said = stderr.trim().split('\n').slice(-3).join(' / ');
      if (stopped) reject(new Error(`the diff command ${stopped}, and was stopped`));
      else if (exitStatus !== 0)
        reject(new Error(`the diff command exited ${exitStatus ?? signal}${said ? `: ${said}` : ''}`));
      else resolve();
    });
  });
}
