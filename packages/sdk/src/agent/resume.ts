import type { components } from '../generated/openapi.ts';
import type { AgentStore, DownloadState } from './store.ts';

type TaskInfo = components['schemas']['TaskInfo'];

/**
 * Loads the persisted download of this package (same target, size and md5) with the task's current token (or
 * `tid`), or starts afresh, clearing what was kept, when the package changed. Every generation's flow starts here.
 */
export async function resumeDownload(
  store: AgentStore,
  task: TaskInfo,
  log: (line: string) => void,
): Promise<DownloadState> {
  const saved = await store.load();
  const same = saved && saved.md5 === task.md5 && saved.size === task.size && saved.target === task.target;
  if (saved && !same) await store.clear();
  const state: DownloadState = same
    ? { ...saved, token: task.token }
    : {
        token: task.token,
        target: task.target,
        size: task.size,
        md5: task.md5,
        type: task.type,
        offset: 0,
        retriesUsed: 0,
        progressReported: 0,
        downloadReported: false,
      };
  if (same) log(`resuming ${task.target} at byte ${state.offset} of ${task.size}`);
  await store.save(state);
  return state;
}
