import { bounds } from '@onenet-ota/openapi/protocol';
import type { DownloadState } from './store.ts';

/**
 * The progress step to report now, or undefined: every `every` percent, never going down, and never 100 (the end
 * of the download is its own report: 101, or 100 on the new platform).
 */
export function progressDue(state: DownloadState, every = 10): number | undefined {
  const step = Math.floor((state.offset * 100) / state.size);
  return step >= bounds.Step.maximum || step < state.progressReported + every ? undefined : step;
}
