import type { Generation, ModuleType } from '@onenet-ota/openapi/protocol';
import type { DeviceClientOptions, OneNetClient } from '../clients.ts';
import type { components } from '../generated/openapi.ts';
import type { AgentStore } from './store.ts';

type TaskInfo = components['schemas']['TaskInfo'];

/** What the host gives the agent. Everything with a default can be left out. */
export interface OtaAgentOptions {
  /**
   * How to reach the platform: a ready client, or the options to make one. Their `generation` (legacy by default)
   * picks the flow: the token flow of the general OTA API, or the `tid` flow of Studio and the new platform.
   */
  client: OneNetClient | DeviceClientOptions;
  /** Which OTA generation the platform speaks when `client` is a ready client; the client options' otherwise. */
  generation?: Generation;
  /** The device's numeric id; the legacy API needs it (Studio and the new platform name the device instead). */
  devId?: number;
  /** Product id and device name, for Studio and the new platform when `client` is a ready client. */
  device?: { productId: string; deviceName: string };
  /** Which module this agent upgrades: 1 FOTA (module firmware) or 2 SOTA (MCU application). */
  type: ModuleType;
  /** Three-digit manufacturer and five-digit model code of the module or chip (protocol §2.2). */
  manuf?: string;
  model?: string;
  /** The version running now. */
  version: string;
  /** Where state and the image go; a `MemoryStore` by default. */
  store?: AgentStore;
  /** Bytes per `Range` request; 4096 by default (the official C example), at least 2 (OneNET's minimum). */
  fragmentSize?: number;
  /** The device's signal and battery now, on the scales the task's `signal` and `power` use. */
  signal?: () => number | Promise<number>;
  /** The device's battery percentage now; with `signal`, checked against the task before downloading. */
  power?: () => number | Promise<number>;
  /**
   * Checks the downloaded package before 101 is reported; throw an `InstallError` to report its code (any other
   * error reports 206). `verifyMd5` by default: the package's md5 must be the task's. `read()` reads the package
   * as often as needed.
   */
  verify?: (read: () => AsyncIterable<Uint8Array>, task: TaskInfo) => Promise<void>;
  /**
   * Installs the verified image. Throw an `InstallError` to report a specific 2xx failure; any other error
   * reports 206. The image is the full one: a differential package is restored before this is called.
   */
  install: (image: AsyncIterable<Uint8Array>, task: TaskInfo) => Promise<void>;
  /**
   * Restores the new image from the current one and a differential package (`type: 2` in the check answer);
   * `patch()` reads the downloaded package, as often as needed. `vcdiffRestore` does it for VCDIFF. Throw an
   * `InstallError(204)` when the package does not apply to this image. Without it the agent reports 206.
   */
  restore?: (patch: () => AsyncIterable<Uint8Array>, task: TaskInfo) => Promise<AsyncIterable<Uint8Array>>;
  /** When the task's deadline passes, the device reports 208 (the deadline is not in OneNET's check answer). */
  deadline?: number;
  /** Time in Unix ms (`Date.now` by default) and a sleep; inject both to run 48 h of OneNET time in milliseconds. */
  now?: () => number;
  /** Waits `ms` (retry intervals, pauses); `setTimeout` by default. */
  sleep?: (ms: number) => Promise<void>;
  /** Abandon a fragment when no byte arrives for this long, wall time; 30 s by default. */
  idleTimeoutMs?: number;
  /**
   * Retries of a failed fragment and the wait between them where the platform sends no strategy (Studio and the
   * new platform); 3 retries 10 s apart by default. The legacy API's task values always win there.
   */
  retry?: { count: number; intervalSeconds: number };
  /** Report progress every this many percent; 10 by default. */
  progressStep?: number;
  /** How long to wait between checks while a task is paused and there is no `interval`; 30 s by default. */
  pauseWaitMs?: number;
  /** Limits that keep a confused platform from holding the agent forever. */
  maxFlows?: number;
  maxPauseWaits?: number;
  /** Called with a line for each step, for logs. */
  log?: (line: string) => void;
}

/** How an upgrade run ended. */
export type UpgradeOutcome =
  /** Installed and reported 201. */
  | 'upgraded'
  /** The platform has no task for this module (errno 11). */
  | 'no-task'
  /** A failure code was reported (1xx or 2xx). */
  | 'failed'
  /** The task was canceled (errno 22): stopped without reporting a failure. */
  | 'canceled'
  /** The task finished or expired (errno 20): stopped without reporting a failure. */
  | 'finished'
  /** The platform failed the task at check (errno 8 or 9), or does not know the token (4, 18, 23). */
  | 'rejected'
  /** Something the protocol has no answer for (network down at check, an unexpected errno). */
  | 'error';

/** The one-line summary of a run. */
export interface UpgradeResult {
  outcome: UpgradeOutcome;
  detail: string;
  target?: string;
  /** Step and status codes the platform accepted, in order. */
  reported: number[];
  /** The last errno the platform answered, when it explains the outcome. */
  errno?: number;
  bytesDownloaded: number;
  retriesUsed: number;
  /** Task checks made (a new flow starts after an expired or superseded token). */
  flows: number;
}
