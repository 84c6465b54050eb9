import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sources = new URL('../devices/c/src/', import.meta.url).pathname;

/** The flags of devices/c/Makefile: C99, POSIX, every warning an error. */
export const cFlags = ['-std=c99', '-D_POSIX_C_SOURCE=200809L', '-O2', '-Wall', '-Wextra', '-Wpedantic', '-Werror'];

/** Builds the C reference device (or a mutant, `-DOTA_<mutant>`) with gcc into `dir`; returns the binary's path. */
export async function buildCDevice(dir: string, mutant?: string): Promise<string> {
  const files = (await readdir(sources)).filter((f) => f.endsWith('.c')).map((f) => join(sources, f));
  const out = join(dir, mutant ? `ota-device-c-${mutant}` : 'ota-device-c');
  await run('gcc', [...cFlags, ...(mutant ? [`-DOTA_${mutant}`] : []), '-o', out, ...files]);
  return out;
}
