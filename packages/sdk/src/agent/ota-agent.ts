import {
  CheckErrno,
  DownloadErrorCode,
  PackageKind,
  ProgressErrno,
  ResultCode,
  TokenCheckErrno,
} from '@onenet-ota/openapi/protocol';
import { createDeviceClient, type DeviceClientOptions, type OneNetClient } from '../clients.ts';
import type { components } from '../generated/openapi.ts';
import { DeviceCalls } from './device-calls.ts';
import { failureText } from './failure-text.ts';
import { fetchFragment } from './fragment.ts';
import { InstallError } from './install-error.ts';
import type { OtaAgentOptions, UpgradeOutcome, UpgradeResult } from './options.ts';
import { progressDue } from './progress-due.ts';
import { resumeDownload } from './resume.ts';
import { type AgentStore, type DownloadState, MemoryStore } from './store.ts';
import { TidCalls } from './tid-calls.ts';
import { TidFlow } from './tid-flow.ts';
import { verifyMd5 } from './verify-md5.ts';

type TaskInfo = components['schemas']['TaskInfo'];

/** Error bytes that end the download with 107 (protocol §2.4: 1 not found, 2 size changed, 3 invalid token). */
const endsDownload = new Set(
  [DownloadErrorCode.ResourceNotFound, DownloadErrorCode.SizeMismatch, DownloadErrorCode.InvalidToken].map(Number),
);

/** The product and name a device client signs for: how Studio and the new platform name the device. */
function deviceOf(client: DeviceClientOptions): { productId: string; deviceName: string } | undefined {
  return client.deviceName === undefined ? undefined : { productId: client.productId, deviceName: client.deviceName };
}

/** A run that ended before the download did. */
type Stop = { stop: UpgradeResult };

/**
 * The reference OneNET OTA device: one upgrade, done the way a careful firmware engineer would (protocol
 * §2.10–2.12 and the OTA SDK guidance quoted there).
 *
 * Report the version → check for a task → check the device's signal and battery against the task → for every
 * fragment: check the token, fetch `Range` bytes, verify `Content-Range`, persist → verify the whole image's md5 →
 * report 101 → wait while the task is paused → restore a differential package → install → report 201.
 * Token answers are handled as the SDK guidance says: 12 and 15 check the task again, 19 waits `interval` without
 * using a retry, 20 and 22 stop without reporting a failure. A failed fragment is retried from the last good byte,
 * `retry` times `interval` seconds apart, then 207; a passed deadline is 208.
 *
 * @example
 * const agent = new OtaAgent({
 *   client: { baseUrl: 'http://127.0.0.1:8787', productId: '123123', accessKey },
 *   devId: 32981907, type: 2, manuf: '100', model: '10001', version: 'V1.0',
 *   install: async (image) => { for await (const chunk of image) flash.write(chunk); },
 * });
 * const result = await agent.run(); // { outcome: 'upgraded', target: 'V2.0', reported: [10, …, 101, 201], … }
 */
export class OtaAgent {
  readonly #options: OtaAgentOptions;
  readonly #client: OneNetClient;
  readonly #store: AgentStore;
  readonly #fragmentSize: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #log: (line: string) => void;
  #bytes = 0;
  #retries = 0;
  #flows = 0;
  #pauseWaits = 0;
  readonly #calls: DeviceCalls;
  readonly #tidFlow: TidFlow | undefined;

  constructor(options: OtaAgentOptions) {
    const fragmentSize = options.fragmentSize ?? 4096;
    if (!Number.isInteger(fragmentSize) || fragmentSize < 2) {
      throw new RangeError(
        `fragmentSize must be an integer of at least 2 (OneNET's minimum fragment), got ${fragmentSize}`,
      );
    }
    this.#options = options;
    this.#fragmentSize = fragmentSize;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#log = options.log ?? (() => {});
    this.#store = options.store ?? new MemoryStore();
    const ready = 'GET' in options.client;
    this.#client = ready
      ? (options.client as OneNetClient)
      : createDeviceClient({ now: this.#now, ...(options.client as DeviceClientOptions) });
    const generation = ready
      ? (options.generation ?? 'legacy')
      : ((options.client as DeviceClientOptions).generation ?? 'legacy');
    this.#calls = new DeviceCalls(this.#client, options.devId ?? 0, options.type, this.#log);
    if (generation === 'legacy') {
      if (options.devId === undefined) throw new TypeError('the legacy API names the device by devId: give devId');
      return;
    }
    const named = ready ? options.device : deviceOf(options.client as DeviceClientOptions);
    if (!named) throw new TypeError(`${generation} names the device by product id and name: give client.deviceName`);
    const parts = {
      options,
      generation,
      store: this.#store,
      fragmentSize,
      now: this.#now,
      sleep: this.#sleep,
      log: this.#log,
    };
    this.#tidFlow = new TidFlow({ ...parts, calls: new TidCalls(this.#client, generation, named, this.#log) });
  }

  /** Runs one upgrade to its end and says how it ended; never throws for anything the platform answers. */
  async run(): Promise<UpgradeResult> {
    try {
      return await (this.#tidFlow ? this.#tidFlow.run() : this.#run());
    } catch (error) {
      return this.#result('error', `unexpected: ${failureText(error)}`);
    }
  }

  async #run(): Promise<UpgradeResult> {
    const pending = await this.#store.load();
    if (pending?.installed) return await this.#reportInstalled(pending);
    await this.#calls.reportVersion(this.#options.version);
    const maxFlows = this.#options.maxFlows ?? 5;
    while (this.#flows < maxFlows) {
      this.#flows++;
      const { data, error } = await this.#client.GET('/ota/south/check', {
        params: {
          query: {
            dev_id: this.#options.devId ?? 0, // checked in the constructor
            manuf: this.#options.manuf,
            model: this.#options.model,
            type: this.#options.type,
            version: this.#options.version,
            cdn: false, // DOC-ZH requires it; this agent pulls from the platform's own address
          },
        },
      });
      if (!data) return this.#result('error', `check failed: ${JSON.stringify(error)}`);
      this.#log(`check: errno ${data.errno} ${data.error}`);
      if (data.errno === CheckErrno.NoTask) return this.#result('no-task', data.error, data.errno);
      if (data.errno === CheckErrno.TaskPaused) {
        const waited = await this.#waitWhilePaused(undefined);
        if (waited) return waited;
        this.#flows--;
        continue;
      }
      if (data.errno === CheckErrno.ManufModelMismatch || data.errno === CheckErrno.VersionMismatch) {
        return this.#result('rejected', data.error, data.errno);
      }
      if (data.errno !== CheckErrno.Success || !data.data)
        return this.#result('error', `check answered ${data.errno} ${data.error}`, data.errno);
      const task = data.data;
      const state = await this.#resume(task);

      const gate = await this.#checkConditions(task);
      if (gate) return gate;
      const downloaded = await this.#download(task, state);
      if (downloaded === 'new-flow') continue;
      if (downloaded !== 'done') return downloaded.stop;
      return await this.#finish(task, state);
    }
    return this.#result('error', `gave up after ${maxFlows} task checks (tokens kept expiring or being replaced)`);
  }

  /** Loads persisted state for this package, or starts afresh when the package changed. */
  async #resume(task: TaskInfo): Promise<DownloadState> {
    const state = await resumeDownload(this.#store, task, this.#log);
    this.#retries = state.retriesUsed;
    return state;
  }

  /** Thresholds are enforced by the device ("由终端控制"): proceed only above them (a threshold of 0 asks nothing). */
  async #checkConditions(task: TaskInfo): Promise<UpgradeResult | undefined> {
    if (this.#deadlinePassed()) return this.#fail(task, ResultCode.UpgradeExpired, 'the task deadline has passed');
    const power = this.#options.power ? await this.#options.power() : undefined;
    if (power !== undefined && task.power > 0 && !(power > task.power)) {
      return this.#fail(
        task,
        ResultCode.DownloadLowBattery,
        `battery ${power} % is not above the task's ${task.power} %`,
      );
    }
    const signal = this.#options.signal ? await this.#options.signal() : undefined;
    if (signal !== undefined && task.signal > 0 && !(signal > task.signal)) {
      return this.#fail(task, ResultCode.DownloadWeakSignal, `signal ${signal} is not above the task's ${task.signal}`);
    }
    return undefined;
  }

  async #download(task: TaskInfo, state: DownloadState): Promise<'done' | 'new-flow' | Stop> {
    while (state.offset < task.size) {
      if (this.#deadlinePassed())
        return { stop: await this.#fail(task, ResultCode.UpgradeExpired, 'the task deadline has passed') };
      const errno = await this.#calls.checkToken(task.token);
      if (errno === TokenCheckErrno.TokenExpired || errno === TokenCheckErrno.TokenSuperseded) return 'new-flow';
      if (errno === TokenCheckErrno.TaskPaused) {
        const waited = await this.#waitWhilePaused(task);
        if (waited) return { stop: waited };
        continue;
      }
      const stop = await this.#stopFor(errno, state);
      if (stop === 'downloaded') return 'done';
      if (stop) return { stop };
      if (errno === TokenCheckErrno.Success) {
        const end = Math.min(state.offset + this.#fragmentSize, task.size) - 1;
        const fragment = await fetchFragment({
          download: async (range, signal) =>
            (
              await this.#client.GET('/ota/south/download/{token}', {
                params: { path: { token: task.token }, header: { Range: range } },
                parseAs: 'stream',
                signal,
              })
            ).response,
          offset: state.offset,
          end,
          size: task.size,
          store: this.#store,
          idleTimeoutMs: this.#options.idleTimeoutMs ?? 30_000,
        });
        if ('received' in fragment) await this.#advance(state, fragment.received);
        if (fragment.kind === 'ok') {
          await this.#reportProgress(task, state);
          continue;
        }
        if (fragment.kind === 'error-byte' && endsDownload.has(fragment.code)) {
          return {
            stop: await this.#fail(task, ResultCode.DownloadFailed, `download answered error byte ${fragment.code}`),
          };
        }
        this.#log(
          `fragment at ${state.offset} failed: ${fragment.kind === 'failed' ? fragment.reason : `error byte ${fragment.code}`}`,
        );
      }
      // A failed fragment (or token check) is retried from the last good byte, `interval` seconds later.
      state.retriesUsed++;
      this.#retries = state.retriesUsed;
      await this.#store.save(state);
      if (state.retriesUsed > task.retry) {
        return {
          stop: await this.#fail(
            task,
            ResultCode.RetriesExhausted,
            `${task.retry} retries used, the last at byte ${state.offset}`,
          ),
        };
      }
      await this.#sleep(task.interval * 1000);
    }
    return 'done';
  }

  /** 20 and 22: the task ended; the device stops and reports no failure ("无需上报升级失败"). */
  async #ended(
    errno: typeof TokenCheckErrno.TaskFinished | typeof TokenCheckErrno.TaskCanceled,
  ): Promise<UpgradeResult> {
    await this.#store.clear();
    return errno === TokenCheckErrno.TaskCanceled
      ? this.#result('canceled', 'the task was canceled (errno 22)', errno)
      : this.#result('finished', 'the task finished or expired (errno 20)', errno);
  }

  /** What a token answer other than 0/12/15/19 means for the run: stop, carry on to install, or retry (undefined). */
  async #stopFor(errno: number | undefined, state: DownloadState): Promise<UpgradeResult | 'downloaded' | undefined> {
    switch (errno) {
      case TokenCheckErrno.TaskFinished:
      case TokenCheckErrno.TaskCanceled:
        return this.#ended(errno);
      case TokenCheckErrno.InvalidState:
        // 17: the platform has the device upgrading, so a 101 of an earlier run got through.
        return state.downloadReported
          ? 'downloaded'
          : this.#result('error', 'token check answered 17 before the download finished', errno);
      case TokenCheckErrno.TokenDeviceMismatch:
      case TokenCheckErrno.WrongToken:
      case TokenCheckErrno.TokenDevIdMismatch:
        await this.#store.clear();
        return this.#result('rejected', `the platform does not accept this token (errno ${errno})`, errno);
      default:
        return undefined;
    }
  }

  /** Verifies the image, reports 101, waits out a pause, restores a diff, installs, reports 201. */
  async #finish(task: TaskInfo, state: DownloadState): Promise<UpgradeResult> {
    try {
      await (this.#options.verify ?? verifyMd5)(() => this.#store.read(task.size), task);
    } catch (error) {
      const code = error instanceof InstallError ? error.code : ResultCode.UpgradeFailed;
      await this.#store.clear();
      return this.#fail(task, code, error instanceof Error ? error.message : String(error));
    }
    if (!state.downloadReported) {
      const errno = await this.#calls.report(task.token, ResultCode.Downloaded);
      if (errno === TokenCheckErrno.TaskFinished || errno === TokenCheckErrno.TaskCanceled) return this.#ended(errno);
      if (errno !== ProgressErrno.Success) return this.#result('error', `101 was refused with errno ${errno}`, errno);
      state.downloadReported = true;
      await this.#store.save(state);
    }
    // A task paused while downloading holds the device before upgrading; token check says 19 until it resumes.
    let gate = await this.#calls.checkToken(task.token);
    while (gate === TokenCheckErrno.TaskPaused) {
      const waited = await this.#waitWhilePaused(task);
      if (waited) return waited;
      gate = await this.#calls.checkToken(task.token);
    }
    if (gate === TokenCheckErrno.TaskFinished || gate === TokenCheckErrno.TaskCanceled) return this.#ended(gate);
    try {
      const image = await this.#image(task);
      await this.#options.install(image, task);
    } catch (error) {
      const code = error instanceof InstallError ? error.code : ResultCode.UpgradeFailed;
      await this.#store.clear();
      return this.#fail(task, code, `install failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    state.installed = true;
    await this.#store.save(state);
    return await this.#reportInstalled(state);
  }

  /**
   * Reports 201 for an installed image. Without an answer (the link or the platform went down) the state is kept
   * and the next run sends 201 again first: the platform may never have seen it, and a device that gave up here
   * would stay "upgrading" there forever. Any answer ends it: a refusal after a restart usually means the first
   * 201 did arrive and only its answer was lost.
   */
  async #reportInstalled(state: DownloadState): Promise<UpgradeResult> {
    const errno = await this.#calls.report(state.token, ResultCode.UpgradeSucceeded);
    if (errno === undefined) return this.#result('error', '201 got no answer; the next run sends it again');
    await this.#store.clear();
    if (errno !== ProgressErrno.Success) return this.#result('error', `201 was refused with errno ${errno}`, errno);
    // Rebooted into the new image, a device reports its version: the platform's record then shows the target.
    await this.#calls.reportVersion(state.target);
    return { ...this.#result('upgraded', `installed ${state.target}`), target: state.target };
  }

  async #image(task: TaskInfo): Promise<AsyncIterable<Uint8Array>> {
    if (task.type === PackageKind.Full) return this.#store.read(task.size);
    if (!this.#options.restore)
      throw new InstallError(ResultCode.UpgradeFailed, 'a differential package needs a restore function');
    return this.#options.restore(() => this.#store.read(task.size), task);
  }

  async #advance(state: DownloadState, received: number): Promise<void> {
    if (received === 0) return;
    state.offset += received;
    this.#bytes += received;
    await this.#store.save(state);
  }

  /** Reports progress every `progressStep` percent, never going down and never 100 (101 says it). */
  async #reportProgress(task: TaskInfo, state: DownloadState): Promise<void> {
    const step = progressDue(state, this.#options.progressStep);
    if (step === undefined) return;
    if ((await this.#calls.report(task.token, step)) === 0) {
      state.progressReported = step;
      await this.#store.save(state);
    }
  }

  /** Waits `interval` (or `pauseWaitMs`) while a task is paused, without using a retry; gives up after a while. */
  async #waitWhilePaused(task: TaskInfo | undefined): Promise<UpgradeResult | undefined> {
    if (++this.#pauseWaits > (this.#options.maxPauseWaits ?? 100))
      return this.#result('error', 'the task stayed paused too long');
    const ms = task && task.interval > 0 ? task.interval * 1000 : (this.#options.pauseWaitMs ?? 30_000);
    this.#log(`task paused, checking again in ${ms} ms`);
    await this.#sleep(ms);
    return undefined;
  }

  /** Reports a failure code and ends the run; a refusal because the task ended meanwhile is not a failure. */
  async #fail(task: TaskInfo, code: number, detail: string): Promise<UpgradeResult> {
    const errno = await this.#calls.report(task.token, code);
    await this.#store.clear();
    if (errno === ProgressErrno.TaskCanceled)
      return this.#result('canceled', `${detail}; the task was canceled meanwhile`, errno);
    if (errno === ProgressErrno.TaskFinished)
      return this.#result('finished', `${detail}; the task had already ended`, errno);
    return this.#result('failed', `reported ${code}: ${detail}`, errno === ProgressErrno.Success ? undefined : errno);
  }

  #deadlinePassed(): boolean {
    return this.#options.deadline !== undefined && this.#now() >= this.#options.deadline;
  }

  #result(outcome: UpgradeOutcome, detail: string, errno?: number): UpgradeResult {
    return {
      outcome,
      detail,
      reported: [...this.#calls.reported],
      ...(errno === undefined ? {} : { errno }),
      bytesDownloaded: this.#bytes,
      retriesUsed: this.#retries,
      flows: this.#flows,
    };
  }
}
