import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultCode } from '@onenet-ota/openapi/protocol';
import { InstallError } from '../agent/install-error.ts';
import type { components } from '../generated/openapi.ts';
import { shellWord } from './shell-word.ts';

type TaskInfo = components['schemas']['TaskInfo'];

/**
 * The agent's `restore` with the firmware team's own tool, for a platform that makes patches with it
 * (`ota-mock --diff-cmd`): `ota-device --restore-cmd 'bspatch {old} {new} {patch}'`. The patch is written to a file,
 * the command makes the new image from the running one (`{old}`), and the new image is installed from its file. A
 * command that fails is a patch that does not apply to this image: 204, nothing installed.
 *
 * @example
 * new OtaAgent({ ...options, restore: commandRestore('bspatch {old} {new} {patch}', '/firmware/current.bin') });
 */
export function commandRestore(command: string, current: string) {
  return async (patch: () => AsyncIterable<Uint8Array>, _task: TaskInfo): Promise<AsyncIterable<Uint8Array>> => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-restore-'));
    const paths = { old: current, new: join(dir, 'new.bin'), patch: join(dir, 'patch.bin') };
    const chunks: Uint8Array[] = [];
    for await (const chunk of patch()) chunks.push(chunk);
    await writeFile(paths.patch, chunks);
    const line = command.replace(/\{(old|new|patch)\}/g, (_, name: keyof typeof paths) => shellWord(paths[name]));
    const failure = await run(line);
    if (failure || !(await stat(paths.new).catch(() => undefined))) {
      await rm(dir, { recursive: true, force: true });
      throw new InstallError(
        ResultCode.UpgradeVersionMismatch,
        `the restore command did not make the new image: ${failure ?? 'it wrote nothing to {new}'}`,
      );
    }
    return (async function* () {
      try {
        yield* createReadStream(paths.new) as AsyncIterable<Uint8Array>;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    })();
  };
}

function run(line: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', line], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-1024);
    });
    child.once('error', (error) => resolve(error.message));
    child.once('close', (exitStatus) =>
      resolve(exitStatus === 0 ? undefined : `exit ${exitStatus}: ${stderr.trim().split('\n').at(-1) ?? ''}`),
    );
  });
}
