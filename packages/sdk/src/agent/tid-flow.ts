import {
  bounds,
  type Generation,
  OtaErrnoCode,
  PackageKind,
  ResultCode,
  StudioCode,
  TidTaskStatus,
} from '@onenet-ota/openapi/protocol';
import type { components } from '../generated/openapi.ts';
import { fetchFragment } from './fragment.ts';
import { InstallError } from './install-error.ts';
import type { OtaAgentOptions, UpgradeOutcome, UpgradeResult } from './options.ts';
import { progressDue } from './progress-due.ts';
import { resumeDownload } from './resume.ts';
import type { AgentStore, DownloadState } from './store.ts';
import type { TidCalls } from './tid-calls.ts';
import { verifyMd5 } from './verify-md5.ts';

type TaskInfo = components['schemas']['TaskInfo'];
type TidTaskInfo = components['schemas']['TidTaskInfo'];

/** What the flow shares with the agent that runs it. */
export interface TidFlowParts {
  options: OtaAgentOptions;
  generation: Exclude<Generation, 'legacy'>;
  calls: TidCalls;
  store: AgentStore;
  fragmentSize: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
}

// The codes Studio and the new platform share (0 accepted, 20 finished, 22 canceled; FuseCode has the same).
const finished = StudioCode.TaskFinished;
const accepted = StudioCode.Success;
const canceled = StudioCode.TaskCanceled;

/**
 * One upgrade on OneNET Studio (protocol §3) or the new platform (§4): report the version → check (task id `tid`,
 * no token, no strategy) → download fragments by `tid`, reading `Ota-Errno` on every answer (a 200 may carry a
 * refusal) → verify md5 → report the end of the download (100 on the new platform, where "设备上报100后不能再次上报
 * 101"; 101 on Studio) → wait while the task status says waiting (a paused task) → install → 201.
 * Without strategy values from the platform, failed fragments are retried `options.retry` times.
 */
export class TidFlow {
  readonly #p: TidFlowParts;
  #bytes = 0;
  #retries = 0;
  #pauseWaits = 0;

  constructor(parts: TidFlowParts) {
    this.#p = parts;
  }

  async run(): Promise<UpgradeResult> {
    const { options, calls, store } = this.#p;
    const pending = await store.load();
    if (pending?.installed) return this.#reportInstalled(pending);
    await calls.reportVersion(options.type, options.version);
    const checked = await calls.check(options.type, options.version);
    if (!checked) return this.#result('error', `check failed: ${calls.lastFailure ?? 'no answer'}`);
    if (checked.code === calls.noTask) return this.#result('no-task', checked.text, checked.code);
    if (checked.code !== accepted || !checked.task)
      return this.#result('error', `check answered ${checked.code} ${checked.text}`, checked.code);
    const tid = checked.task.tid;
    const task = asTaskInfo(checked.task, options.retry);
    const state = await this.#resume(task);
    if (options.deadline !== undefined && this.#p.now() >= options.deadline && this.#p.generation === 'studio')
      return this.#fail(tid, ResultCode.UpgradeExpired, 'the task deadline has passed');
    const downloaded = await this.#download(tid, task, state);
    if (downloaded) return downloaded;
    return this.#finish(tid, task, state);
  }

  async #resume(task: TaskInfo): Promise<DownloadState> {
    const state = await resumeDownload(this.#p.store, task, this.#p.log);
    this.#retries = state.retriesUsed;
    return state;
  }

  /** Fragments until the package is whole; a result when the run ends first. */
  async #download(tid: number, task: TaskInfo, state: DownloadState): Promise<UpgradeResult | undefined> {
    const { calls, store, options, log } = this.#p;
    while (state.offset < task.size) {
      const end = Math.min(state.offset + this.#p.fragmentSize, task.size) - 1;
      const fragment = await fetchFragment({
        download: (range, signal) => calls.download(tid, range, signal),
        offset: state.offset,
        end,
        size: task.size,
        store,
        idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      });
      if ('received' in fragment && fragment.received > 0) {
        state.offset += fragment.received;
        this.#bytes += fragment.received;
        await store.save(state);
      }
      if (fragment.kind === 'ok') {
        const ended = await this.#reportProgress(tid, state);
        if (ended) return ended;
        continue;
      }
      if (fragment.kind === 'ota-errno') {
        const stop = await this.#refused(tid, fragment.code);
        if (stop === 'wait') continue;
        if (stop) return stop;
      } else {
        log(`fragment at ${state.offset} failed: ${fragment.kind === 'failed' ? fragment.reason : fragment.code}`);
      }
      state.retriesUsed++;
      this.#retries = state.retriesUsed;
      await store.save(state);
      if (state.retriesUsed > task.retry)
        return this.#fail(tid, ResultCode.RetriesExhausted, `${task.retry} retries used at byte ${state.offset}`);
      await this.#p.sleep(task.interval * 1000);
    }
    return undefined;
  }

  /** What an `Ota-Errno` means for the run: stop, wait out a pause, or retry (undefined). */
  async #refused(tid: number, code: number): Promise<UpgradeResult | 'wait' | undefined> {
    if (code === OtaErrnoCode.AuthFailed || code === OtaErrnoCode.DeviceNotFound) {
      await this.#p.store.clear();
      return this.#result('rejected', `the platform refused the download (Ota-Errno ${code})`);
    }
    if (code === OtaErrnoCode.TaskUnavailable) {
      // 5: the task is over for the device, or paused; its status says which.
      const status = await this.#p.calls.status(tid);
      if (status === TidTaskStatus.Canceled) return this.#ended('canceled', 'the task was canceled (status 6)');
      if (status === TidTaskStatus.Succeeded || status === TidTaskStatus.Failed)
        return this.#ended('finished', `the task ended for this device (status ${status})`);
      if (status === TidTaskStatus.Waiting) return (await this.#waitWhilePaused()) ?? 'wait';
      return undefined;
    }
    if (code === OtaErrnoCode.FileNotFound || code === OtaErrnoCode.StoredObjectNotFound)
      return this.#fail(tid, ResultCode.DownloadFailed, `the package is gone (Ota-Errno ${code})`);
    return undefined;
  }

  /** Verifies, reports the end of the download, waits while paused, installs, reports 201. */
  async #finish(tid: number, task: TaskInfo, state: DownloadState): Promise<UpgradeResult> {
    const { options, calls, store } = this.#p;
    try {
      await (options.verify ?? verifyMd5)(() => store.read(task.size), task);
    } catch (error) {
      const code = error instanceof InstallError ? error.code : ResultCode.UpgradeFailed;
      return this.#fail(tid, code, error instanceof Error ? error.message : String(error));
    }
    if (!state.downloadReported) {
      const done = this.#p.generation === 'fuse' ? bounds.Step.maximum : ResultCode.Downloaded;
      const code = await calls.report(tid, done);
      if (code === finished || code === canceled) return this.#endedBy(code);
      if (code !== accepted) return this.#result('error', `${done} was refused with ${code}`, code);
      state.downloadReported = true;
      await store.save(state);
    }
    // A task paused while the device downloaded holds it before upgrading: its status reads waiting until resumed.
    let status = await calls.status(tid);
    while (status === TidTaskStatus.Waiting) {
      const waited = await this.#waitWhilePaused();
      if (waited) return waited;
      status = await calls.status(tid);
    }
    if (status === TidTaskStatus.Canceled) return this.#ended('canceled', 'the task was canceled (status 6)');
    try {
      const image =
        task.type === PackageKind.Full ? store.read(task.size) : await this.#restore(() => store.read(task.size), task);
      await options.install(image, task);
    } catch (error) {
      const code = error instanceof InstallError ? error.code : ResultCode.UpgradeFailed;
      return this.#fail(tid, code, `install failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    state.installed = true;
    await store.save(state);
    return this.#reportInstalled(state);
  }

  async #restore(patch: () => AsyncIterable<Uint8Array>, task: TaskInfo): Promise<AsyncIterable<Uint8Array>> {
    if (!this.#p.options.restore)
      throw new InstallError(ResultCode.UpgradeFailed, 'a differential package needs a restore function');
    return this.#p.options.restore(patch, task);
  }

  /** 201, sent again on the next run when it got no answer (as the legacy agent does). */
  async #reportInstalled(state: DownloadState): Promise<UpgradeResult> {
    const code = await this.#p.calls.report(Number(state.token), ResultCode.UpgradeSucceeded);
    if (code === undefined) return this.#result('error', '201 got no answer; the next run sends it again');
    await this.#p.store.clear();
    if (code !== accepted) return this.#result('error', `201 was refused with ${code}`, code);
    await this.#p.calls.reportVersion(this.#p.options.type, state.target);
    return { ...this.#result('upgraded', `installed ${state.target}`), target: state.target };
  }

  /** Reports a progress step when one is due; the end of the run when its answer says the task ended. */
  async #reportProgress(tid: number, state: DownloadState): Promise<UpgradeResult | undefined> {
    const step = progressDue(state, this.#p.options.progressStep);
    if (step === undefined) return undefined;
    const answer = await this.#p.calls.report(tid, step);
    // A cancel or an end heard on a progress report is as final as on a download: no more fragments.
    if (answer === canceled) return this.#ended('canceled', `the task was canceled (code ${answer} to step ${step})`);
    if (answer === finished) return this.#ended('finished', `the task ended (code ${answer} to step ${step})`);
    if (answer === accepted) {
      state.progressReported = step;
      await this.#p.store.save(state);
    }
    return undefined;
  }

  async #waitWhilePaused(): Promise<UpgradeResult | undefined> {
    if (++this.#pauseWaits > (this.#p.options.maxPauseWaits ?? 100))
      return this.#result('error', 'the task stayed paused too long');
    const ms = this.#p.options.pauseWaitMs ?? 30_000;
    this.#p.log(`task waiting (paused), checking again in ${ms} ms`);
    await this.#p.sleep(ms);
    return undefined;
  }

  async #fail(tid: number, code: number, detail: string): Promise<UpgradeResult> {
    const answer = await this.#p.calls.report(tid, code);
    await this.#p.store.clear();
    if (answer === canceled || answer === finished) return this.#endedBy(answer);
    return this.#result('failed', `reported ${code}: ${detail}`, answer === accepted ? undefined : answer);
  }

  #endedBy(code: number): Promise<UpgradeResult> {
    return code === canceled
      ? this.#ended('canceled', `the task was canceled (${code})`)
      : this.#ended('finished', `the task had already ended (${code})`);
  }

  async #ended(outcome: UpgradeOutcome, detail: string): Promise<UpgradeResult> {
    await this.#p.store.clear();
    return this.#result(outcome, detail);
  }

  #result(outcome: UpgradeOutcome, detail: string, errno?: number): UpgradeResult {
    return {
      outcome,
      detail,
      reported: [...this.#p.calls.reported],
      ...(errno === undefined ? {} : { errno }),
      bytesDownloaded: this.#bytes,
      retriesUsed: this.#retries,
      flows: 1,
    };
  }
}

/**
 * The check's task in the shape the host's `verify`, `install` and `restore` take: `token` is the `tid`, and the
 * retry policy is the agent's own, since these generations send none.
 */
function asTaskInfo(task: TidTaskInfo, retry: OtaAgentOptions['retry']): TaskInfo {
  return {
    target: task.target,
    token: String(task.tid),
    size: task.size,
    md5: task.md5,
    signal: 0,
    power: 0,
    retry: retry?.count ?? 3,
    interval: retry?.intervalSeconds ?? 10,
    type: task.type,
  };
}
