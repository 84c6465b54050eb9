import { existsSync, readdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

/**
 * What a device's clock shows while the suite moves the platform's: whether it follows (so a device that signs
 * `et` from its own clock signs in platform time), and how, in words for the report.
 */
export interface DeviceClock {
  follows: boolean;
  how: string;
}

// Debian and Ubuntu put libfaketime under the multiarch directory; other distributions under lib/faketime.
const libraryDirs = ['/usr/lib/faketime', '/usr/lib64/faketime', '/usr/local/lib/faketime'];

/**
 * The multi-threaded libfaketime (Debian's `faketime` package), or undefined when it is not installed. The MT build,
 * because Node and most device simulators start threads.
 */
export function findLibfaketime(): string | undefined {
  const multiarch = (() => {
    try {
      return readdirSync('/usr/lib').map((name) => `/usr/lib/${name}/faketime`);
    } catch {
      return [];
    }
  })();
  for (const dir of [...multiarch, ...libraryDirs]) {
    const lib = `${dir}/libfaketimeMT.so.1`;
    if (existsSync(lib)) return lib;
  }
  return undefined;
}

/**
 * Variables that run a process on the platform's clock: libfaketime preloaded, reading the offset from `file` on
 * every call (the suite rewrites it when the clock jumps, and the next call sees it). Monotonic clocks are left
 * alone, so the device's timers and sleeps keep real time.
 */
export function faketimeEnvironment(
  lib: string,
  file: string,
  inherited: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  return {
    LD_PRELOAD: inherited.LD_PRELOAD ? `${lib} ${inherited.LD_PRELOAD}` : lib,
    FAKETIME_TIMESTAMP_FILE: file,
    FAKETIME_NO_CACHE: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

/**
 * Writes the platform's offset from this machine's clock to `file` as libfaketime reads it (`+172800`, whole
 * seconds), atomically, so a device reading it mid-write never sees half a number.
 */
export async function writeClockOffset(file: string, platformNow: number): Promise<void> {
  const seconds = Math.round((platformNow - Date.now()) / 1000);
  await writeFile(`${file}.next`, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
  await rename(`${file}.next`, file);
}
