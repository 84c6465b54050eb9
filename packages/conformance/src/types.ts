import type { FaultCreate, JournalEntry } from '@onenet-ota/mock-server';
import type { DiffFormat, ErrnoOf, Generation, SouthboundOperation } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import type { DeviceClock } from './drivers/device-clock.ts';
import type { DeviceProfile } from './profile.ts';

type Schemas = components['schemas'];

/** How binding a rule is: a broken MUST fails the case, a broken SHOULD warns. */
export type Level = 'MUST' | 'SHOULD';

/**
 * How a case ended. `fail` and `warn` blame the device; `timeout` means it never finished; `error` means the
 * case could not be run (the device command would not start, or the suite itself broke) and says nothing about
 * the device's protocol; `skip` means the case could not be judged (the device declared a capability absent, or
 * a SHOULD rule found no evidence to judge); `disabled` means the user excluded the case.
 */
export type Verdict = 'pass' | 'fail' | 'warn' | 'skip' | 'disabled' | 'timeout' | 'error';

/** Every verdict, in the order reports list them. */
export const verdicts: readonly Verdict[] = ['pass', 'warn', 'fail', 'timeout', 'error', 'skip', 'disabled'];

/**
 * What a device can declare it does not do (`--without`); the rules that need it are skipped.
 * `restart`: the suite can cut its power and start it again. `diff`: it restores differential packages.
 * `image`: it writes the image it installs to `{output}`, which is how the suite sees what was installed.
 */
export type Capability = 'restart' | 'diff' | 'image' | 'mqtt';

/** Every capability, for command lines. */
export const capabilities: readonly Capability[] = ['restart', 'diff', 'image', 'mqtt'];

/**
 * What a device must have done before a rule can judge it. A rule that passes on a device that never reached
 * the rule's situation proves nothing, so a missing need is a finding, never a pass.
 *
 * - `checked`: it asked for its task (`checkTask`), whatever the answer.
 * - `found-task`: a task check answered 0 and handed it the token.
 * - `downloaded`: at least one download delivered package bytes.
 * - `fragments`: at least two downloads delivered package bytes.
 * - `download-done`: it reported the download done (101, step 100, or 201 straight away).
 * - `reported-success`: it reported 201.
 * - `succeeded`: the platform accepted a 201: the device runs the new version.
 * - `answered-inform`: it answered an MQTT `ota/inform` on `ota/inform_reply`.
 * - `scenario`: every fault of the case fired and every trigger went off: the device went through the situation.
 * - `sent-steps`: it reported at least one progress step (0–100). Steps are optional: without one a rule about them
 *   has nothing to judge and is skipped, whatever its level.
 * - `sent-step-100`: the platform accepted a step 100 from it (optional too: 101 alone says the same).
 */
export type Need =
  | 'checked'
  | 'found-task'
  | 'downloaded'
  | 'fragments'
  | 'download-done'
  | 'reported-success'
  | 'succeeded'
  | 'answered-inform'
  | 'scenario'
  | 'sent-steps'
  | 'sent-step-100';

/** How a device process (or in-process device) ended. */
export interface DeviceExit {
  exitCode: number | null;
  /** The signal that ended it, when one did. */
  signal?: string;
  /** The tails of what it printed (the last 64 KiB of each), and how much it printed in all. */
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
}

/** A moment in a case, watched on the platform's journal. */
export interface When {
  /** After the device's nth download request was answered. */
  downloads?: number;
  /**
   * Once the device listens on MQTT: subscribed to its `ota/inform`, and it has checked (finding nothing) or has
   * waited 2 s without checking (a device that relies on the inform alone).
   */
  listening?: boolean;
  /** After an operation answered this errno `count` times (1 by default); the errno must be in its table. */
  errno?: { [Op in SouthboundOperation]: { operation: Op; errno: ErrnoOf<Op>; count?: number } }[SouthboundOperation];
}

/** What happens at that moment. */
export type Action =
  /** Move the platform clock past the expiry of the device's upgrade token. */
  | 'expire-token'
  /** Move the platform clock past the task's deadline. */
  | 'pass-deadline'
  | 'pause'
  | 'resume'
  | 'cancel'
  /** Start the task (a scenario that left it not started). */
  | 'start'
  /** Kill the device's whole process group (a power cut) and start it again with the same state directory. */
  | 'restart-device';

/** What a case sets up on the platform before the device runs. */
export interface Scenario {
  /** Bytes in the package: `fragmentSize * 8.5 + 7` by default: several fragments and an odd tail of its own. */
  packageSize?: number;
  /** Task strategy; by default no thresholds and two retries one second apart. */
  strategy?: Omit<Schemas['TaskStrategyInput'], 'deadline'>;
  /** Give the task a deadline this long after the case starts, in platform ms. */
  deadlineAfterMs?: number;
  /** Leave the task not started. */
  notStarted?: boolean;
  /**
   * Run the new platform's MQTT door for the case: the device is told its URL (`OTA_MQTT_URL`, `{mqttUrl}`) and
   * the platform publishes `ota/inform` when the task starts.
   */
  mqtt?: boolean;
  /** Fault rules, added before the device starts. */
  faults?: FaultCreate[];
  /**
   * Actions at chosen moments. `byDevice`: the moment comes only if the device does what the rule judges (checks
   * again while paused), so its not coming is the rule's finding, never "the scenario never happened".
   */
  triggers?: { when: When; do: Action; byDevice?: true }[];
  /** The device's battery and signal for this case. */
  device?: { power?: number; signal?: number };
  /**
   * Hand out a differential package generated from the device's current image (`matching`), or tell the device
   * it runs an image the package was not made from (`wrong-base`).
   */
  diff?: 'matching' | 'wrong-base';
}

/** A fault the case added, with the id the platform gave it (journal entries list the ids that fired). */
export interface CaseFault {
  id: string;
  create: FaultCreate;
}

/** What a rule's check sees: the device's requests in this case, and how things ended. */
export interface Evidence {
  /** The device's requests in this case, oldest first (redacted as the journal keeps them). */
  journal: JournalEntry[];
  /** Its requests the platform could not take (unreadable as HTTP, or for no operation), each with its `note`. */
  strays?: JournalEntry[];
  /** The device's final status in the task, as the management API reports it. */
  status: Schemas['DeviceTaskStatus'] | undefined;
  /** The file the task hands out: the package, or the differential package. */
  file: { size: number; md5: string; target: string; format?: DiffFormat };
  /** The image the device must end up running: the target version's full package. */
  image: { size: number; md5: string };
  /**
   * What the device wrote to `{output}`: undefined when it does not show its image (`--without image`), null
   * when it wrote nothing.
   */
  installed?: { size: number; md5: string } | null;
  /** The task's strategy, as the device was told it. */
  strategy: Schemas['TaskStrategy'];
  /** The case's faults. */
  faults: CaseFault[];
  /** Actions that fired, with the `seq` of the request at which each fired; and those that never did. */
  fired: { action: Action; seq: number }[];
  pending: Action[];
  /** `seq` of the journal entry at which the device was killed and started again, if it was. */
  restartedAfterSeq?: number;
  /** Who the device was told it is. */
  profile: DeviceProfile;
  /** Whether the device's clock followed the platform's through the case's clock jumps, and how. */
  clock: DeviceClock;
}

/** One rule of the suite, in one file, with a stable id that is never reused. */
export interface Rule {
  /** `FAMILY-NNN`, stable. */
  id: string;
  title: string;
  /** Where the the protocol reference says so (`§2.3`). */
  ref: string;
  level: Level;
  /** What the device must do, in a sentence or two: shown in every report. */
  description: string;
  /** Capabilities the rule needs; a device declaring one absent skips it. */
  requires?: Capability[];
  /**
   * The OTA generations the rule judges, and why not the others (a device speaking another is skipped with that
   * reason); every generation when absent.
   */
  generations?: { only: Generation[]; why: string };
  /** The case's setup; a function of the device profile where sizes or positions depend on its fragments. */
  scenario: Scenario | ((profile: DeviceProfile) => Scenario);
  /**
   * What the device must have done for the rule to judge anything. Without it the verdict is fail (MUST) or
   * skip (SHOULD), never pass.
   */
  needs: Need[];
  /**
   * Returns what the device did wrong; empty when it followed the rule. Called only when `needs` are met. A finding
   * made with `should()` rests on no binding source: alone it warns, even in a MUST rule.
   */
  check(evidence: Evidence): Finding[];
}

/** A finding of a rule: a plain one breaks the rule at its level; a {@link ShouldFinding} only warns. */
export type Finding = string | ShouldFinding;

/** A finding that rests on no binding source ([C] fact): a warning, with the source it does rest on. */
export interface ShouldFinding {
  level: 'SHOULD';
  text: string;
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
  /** What the verdict rests on: the requests that show the device did what the rule needs. */
  evidence: string[];
  /** The reason from the expected-failures file, when this case is a known gap. */
  expected?: string;
  /** For an error: whether the device command would not start (`device`) or the suite itself broke (`suite`). */
  cause?: 'device' | 'suite';
  durationMs: number;
  transcript: JournalEntry[];
  states: StateChange[];
  /** How the device process ended, for command devices (output tails, sizes noted). */
  device?: DeviceExit;
}

/** The result tree every report is made from. */
export interface RunResult {
  startedAt: string;
  finishedAt: string;
  /** What was judged: the command line, or the in-process agent. */
  device: string;
  /** Whether the device's clock followed the platform's through the clock jumps of the cases, and how. */
  deviceClock: DeviceClock;
  /** Who the device was told it is. */
  profile: DeviceProfile;
  cases: CaseResult[];
  counts: Record<Verdict, number>;
  /** True when nothing failed, timed out or errored (expected failures aside). */
  ok: boolean;
}
