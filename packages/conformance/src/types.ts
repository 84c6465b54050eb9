import type { FaultCreate, JournalEntry } from '@onenet-ota/mock-server';
import type { components, OtaAgentOptions } from '@onenet-ota/sdk';

type Schemas = components['schemas'];

/** How binding a rule is: a broken MUST fails the case, a broken SHOULD warns. */
export type Level = 'MUST' | 'SHOULD';

/**
 * How a case ended. `fail` and `warn` blame the device; `timeout` means it never finished; `error` means the
 * suite itself broke and says nothing about the device; `skip` means the device declared the capability absent;
 * `disabled` means the user excluded the case.
 */
export type Verdict = 'pass' | 'fail' | 'warn' | 'skip' | 'disabled' | 'timeout' | 'error';

/** What a device can declare it does not do (the rules that need it are skipped). */
export type Capability = 'sota' | 'fota' | 'restart' | 'diff';

/** A moment in a case, watched on the platform's journal. */
export interface When {
  /** After the device's nth download request was answered. */
  downloads?: number;
  /** After an operation answered this errno `count` times (1 by default). */
  errno?: { operation: string; errno: number; count?: number };
}

/** What happens at that moment. */
export type Action =
  /** Move the platform clock past the 48 h token lifetime. */
  | 'expire-token'
  /** Move the platform clock past the task's deadline. */
  | 'pass-deadline'
  | 'pause'
  | 'resume'
  | 'cancel'
  /** Kill the device process (a power cut) and start it again with the same state directory. */
  | 'restart-device';

/** What a case sets up on the platform before the device runs. */
export interface Scenario {
  /** Bytes in the package; 32 KiB by default. */
  packageSize?: number;
  /** Task strategy; by default no thresholds and two retries one second apart. */
  strategy?: Omit<Schemas['TaskStrategyInput'], 'deadline'>;
  /** Give the task a deadline this long after the case starts, in platform ms. */
  deadlineAfterMs?: number;
  /** Leave the task not started. */
  notStarted?: boolean;
  /** Fault rules, added before the device starts. */
  faults?: FaultCreate[];
  /** Actions at chosen moments. */
  triggers?: { when: When; do: Action }[];
  /** The device's battery and signal for this case. */
  device?: { power?: number; signal?: number };
  /**
   * Hand out a differential package generated from the device's current image (`matching`), or tell the device
   * it runs an image the package was not made from (`wrong-base`).
   */
  diff?: 'matching' | 'wrong-base';
}

/** What a rule's check sees: the device's requests in this case, and how things ended. */
export interface Evidence {
  /** The device's requests in this case, oldest first (redacted as the journal keeps them). */
  journal: JournalEntry[];
  /** The device's final status in the task. */
  status: Schemas['DeviceTaskStatus'] | undefined;
  /** The package the task hands out. */
  file: { size: number; md5: string; target: string };
  /** The task's strategy, as the device was told it. */
  strategy: Schemas['TaskStrategy'];
  /** `seq` of the journal entry at which the device was killed and started again, if it was. */
  restartedAfterSeq?: number;
}

/** One rule of the suite, in one file, with a stable id that is never reused. */
export interface Rule {
  /** `FAMILY-NNN`, stable. */
  id: string;
  title: string;
  /** Where the protocol notes say so (`§2.3`). */
  ref: string;
  level: Level;
  /** What the device must do, in a sentence or two: shown in every report. */
  description: string;
  /** Capabilities the rule needs; a device declaring one absent skips it. */
  requires?: Capability[];
  scenario: Scenario;
  /** Returns what the device did wrong; empty when it followed the rule. */
  check(evidence: Evidence): string[];
}

/** A device's state in the task over time, for the report. */
export interface StateChange {
  time: string;
  state: string;
  /** The request that moved it. */
  seq: number;
}

/** The result of one case. */
export interface CaseResult {
  id: string;
  title: string;
  ref: string;
  level: Level;
  description: string;
  verdict: Verdict;
  /** What the device did wrong (fail, warn), or why the case could not judge (timeout, error, skip). */
  findings: string[];
  /** The reason from the expected-failures file, when this case is a known gap. */
  expected?: string;
  durationMs: number;
  transcript: JournalEntry[];
  states: StateChange[];
  /** How the device process ended, for command devices. */
  device?: { exitCode: number | null; stdout: string; stderr: string };
}

/** The result tree every report is made from. */
export interface RunResult {
  startedAt: string;
  finishedAt: string;
  /** What was judged: the command line, or the in-process agent. */
  device: string;
  cases: CaseResult[];
  counts: Record<Verdict, number>;
  /** True when nothing failed, timed out or errored (expected failures aside). */
  ok: boolean;
}

/** The in-process reference agent's options a run may set (mutants use `quirks`). */
export type AgentDeviceOptions = Pick<OtaAgentOptions, 'quirks' | 'fragmentSize'>;
