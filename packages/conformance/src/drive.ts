import type { JournalEntry } from '@onenet-ota/mock-server';
import type { RunningBroker } from '@onenet-ota/mock-server/node';
import type { DeviceDriver, DeviceSession, DeviceSetup } from './drivers/device.ts';
import { writeClockOffset } from './drivers/device-clock.ts';
import { calls, canonical } from './evidence.ts';
import type { Observed } from './observe.ts';
import { credentials, must, type Prepared } from './scenario.ts';
import type { Action, DeviceExit, Scenario, StateChange, When } from './types.ts';

/** Calls a device makes while idle; anything else is a step of an upgrade. */
const polling = new Set(['checkTask', 'reportVersion', 'getVersion', 'getTasking', 'getDeviceId']);

/** How long to give a case, and how long quiet means done for a device that polls by itself. */
export interface DriveLimits {
  caseTimeoutMs: number;
  idleMs: number;
}

/** What happened while the device ran. */
export interface Drive {
  exit?: DeviceExit;
  timedOut: boolean;
  /** The device stopped with a failure before its first request: it never ran, and nothing can be judged. */
  startFailed: boolean;
  states: StateChange[];
  fired: { action: Action; seq: number }[];
  pending: Action[];
  restartedAfterSeq?: number;
}

/** Runs the device for a case, firing the scenario's triggers, until it is done, quiet, or out of time. */
export async function driveDevice(
  driver: DeviceDriver,
  setup: DeviceSetup,
  observed: Observed,
  scenario: Scenario,
  prepared: Prepared,
  limits: DriveLimits,
  mqtt?: RunningBroker,
): Promise<Drive> {
  const states: StateChange[] = [];
  const pending = [...(scenario.triggers ?? [])];
  const fired: Drive['fired'] = [];
  let session: DeviceSession = driver.start(setup);
  let restartedAfterSeq: number | undefined;
  let lastActivity = performance.now();
  // A self-polling device keeps checking for tasks forever; what shows it is done is that it stopped upgrading.
  let lastUpgradeStep = performance.now();
  let restart: Promise<void> | undefined;
  const act = actions(observed, prepared, setup.clockFile);

  observed.onRequest = async (entry) => {
    lastActivity = performance.now();
    const operation = canonical(entry.operation);
    if (!polling.has(operation)) lastUpgradeStep = lastActivity;
    // A download never moves the device's state; anything else may.
    const state = operation === 'downloadPackage' ? undefined : (await act.status())?.state;
    if (state && states.at(-1)?.state !== state) states.push({ time: entry.time, state, seq: entry.seq });
    await fireDue(entry.seq);
  };
  // A moment may come while the device makes no request (it waits for an MQTT inform): the loop looks too.
  // Listening: subscribed to ota/inform, and either it has checked (and, the task not being started, found
  // nothing) or it has been subscribed for a while without checking: a device that waits for the inform alone
  // (FUSE-C2 with its check period 0) never checks first, and must be judged too.
  let subscribedAt: number | undefined;
  const listening = () => {
    if (!mqtt?.subscribed(prepared.productId, credentials.deviceName)) {
      subscribedAt = undefined;
      return false;
    }
    subscribedAt ??= performance.now();
    return calls(observed.seen, 'checkTask').length > 0 || performance.now() - subscribedAt >= 2000;
  };
  const fireDue = async (seq: number) => {
    const moves: Promise<void>[] = [];
    for (const trigger of [...pending]) {
      if (!due(trigger.when, observed.seen, listening)) continue;
      pending.splice(pending.indexOf(trigger), 1);
      fired.push({ action: trigger.do, seq });
      if (trigger.do === 'restart-device') {
        // Not awaited: the device's own request is still being answered, and a kill waits for the device to stop.
        restartedAfterSeq = seq;
        restart = session.kill().then(() => {
          session = driver.start(setup);
        });
      } else {
        moves.push(act[trigger.do]());
      }
    }
    // The device gets its answer only after the triggered change, so its next request sees it.
    await Promise.all(moves);
  };
  const outcome = (extra: Partial<Drive>): Drive => ({
    timedOut: false,
    startFailed: false,
    states,
    fired,
    // A moment only the device's own conduct brings is the rule's to judge, not a missing scenario.
    pending: pending.filter((t) => !t.byDevice).map((t) => t.do),
    ...(restartedAfterSeq === undefined ? {} : { restartedAfterSeq }),
    ...extra,
  });
  try {
    const deadline = performance.now() + limits.caseTimeoutMs;
    for (;;) {
      const current = session;
      const tick = new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), 50));
      const ended = await Promise.race([current.done.then((exit) => ({ exit })), tick]);
      if (ended === 'tick' && pending.some((t) => t.when.listening)) await fireDue(observed.seen.at(-1)?.seq ?? 0);
      if (restart) {
        await restart;
        restart = undefined;
        continue;
      }
      if (ended !== 'tick' && current === session) {
        const failed = ended.exit.exitCode !== 0;
        return outcome({ exit: ended.exit, startFailed: failed && observed.seen.length === 0 });
      }
      const quiet = performance.now() - lastUpgradeStep;
      if (driver.waits && observed.seen.length > 0 && quiet > limits.idleMs) {
        // Done upgrading (or never started): judge it. Silence before the first request is the timeout's business.
        return outcome({});
      }
      if (driver.waits && observed.seen.length > 0 && performance.now() - lastActivity > limits.idleMs * 3) {
        return outcome({ timedOut: true });
      }
      if (performance.now() > deadline) {
        await session.kill();
        return outcome({ timedOut: true });
      }
    }
  } finally {
    observed.onRequest = undefined;
    // Whatever still runs when the case ends (a device that never stops by itself) is switched off.
    if (!driver.waits) await session.kill();
  }
}

function due(when: When, seen: JournalEntry[], listening: () => boolean): boolean {
  if (when.listening) return listening();
  if (when.downloads !== undefined) return calls(seen, 'downloadPackage').length >= when.downloads;
  if (when.errno) {
    const { operation, errno, count = 1 } = when.errno;
    return calls(seen, operation).filter((e) => e.errno === errno).length >= count;
  }
  return false;
}

/** The platform-side actions of triggers, through the management and control APIs. */
function actions(observed: Observed, prepared: Prepared, clockFile: string) {
  const { admin } = observed;
  const { productId, taskId } = prepared;
  const devicePath = { productId, taskId, devId: credentials.devId };
  const status = async () =>
    (await admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices/{devId}', { params: { path: devicePath } }))
      .data;
  const advanceTo = async (time: number) => {
    const clock = await must('read the clock', admin.GET('/__mock/clock'));
    const ms = time - clock.epochMs;
    if (ms <= 0) return;
    const moved = await must('move the clock', admin.POST('/__mock/clock/advance', { body: { ms } }));
    // Before the device gets the answer that triggered the jump: its next request is signed in the new time.
    await writeClockOffset(clockFile, moved.epochMs);
  };
  const control = (action: 'start' | 'pause' | 'resume' | 'cancel') => async () => {
    await must(
      `${action} the task`,
      admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
        params: { path: { productId, taskId, action } },
      }),
    );
  };
  return {
    status,
    /** Past the expiry of the token the platform gave the device. */
    'expire-token': async () => {
      const expiresAt = (await status())?.tokenExpiresAt;
      if (expiresAt) await advanceTo(Date.parse(expiresAt) + 1000);
    },
    /** Past the task's deadline. */
    'pass-deadline': async () => {
      // A minute past, not a second: a device whose token expires with the deadline is judged one way every time.
      if (prepared.strategy.deadline) await advanceTo(Date.parse(prepared.strategy.deadline) + 60_000);
    },
    start: control('start'),
    pause: control('pause'),
    resume: control('resume'),
    cancel: control('cancel'),
  };
}
