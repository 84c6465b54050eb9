import { ResultCode } from '@onenet-ota/openapi/protocol';
import type { ImageSource } from '../diff/image-source.ts';
import { PatchError } from '../diff/varint.ts';
import { restoreVcdiff } from '../diff/vcdiff-decode.ts';
import type { components } from '../generated/openapi.ts';
import { InstallError } from './install-error.ts';

type TaskInfo = components['schemas']['TaskInfo'];

/**
 * The agent's `restore` for VCDIFF differential packages: restores the new image from `current` (the image the
 * device runs) and the patch. It decodes once to verify every window's checksum before handing anything to
 * `install`, so a patch made from another base image reports 204 and nothing is flashed; then decodes again while
 * installing. Memory stays at one window either way.
 *
 * @example
 * new OtaAgent({ ...options, restore: vcdiffRestore(memorySource(currentImage)) });
 */
export function vcdiffRestore(current: ImageSource) {
  return async (patch: () => AsyncIterable<Uint8Array>, _task: TaskInfo): Promise<AsyncIterable<Uint8Array>> => {
    try {
      for await (const _window of restoreVcdiff(current, patch()));
    } catch (error) {
      if (error instanceof PatchError)
        throw new InstallError(
          ResultCode.UpgradeVersionMismatch,
          `the differential package does not apply to this image: ${error.message}`,
        );
      throw error;
    }
    return restoreVcdiff(current, patch());
  };
}
