import type { Platform } from '@onenet-ota/mock-server';
import type { CaseContext } from './case.ts';
import type { DeviceExit, DeviceSession } from './drivers/device.ts';
import { deviceJournal } from './observe.ts';
import { identity } from './scenario.ts';
import type { Action, Rule, StateChange, When } from './types.ts';

/** Calls a device makes while idle; anything else is a step of an upgrade. */
const polling = new Set(['checkTask', 'reportVersion', 'getVersion', 'getTasking', 'getDeviceId']);

/** Runs the device for a case, firing the scenario's triggers, until it is done, quiet, or out of time. */
export async function driveDevice(
  rule: Rule,
  ctx: CaseContext,
  taskId: string,
  stateDir: string,
  firmware: string | undefined,
): Promise<{ exit?: DeviceExit; timedOut: boolean; states: StateChange[]; restartedAfterSeq?: number }> {
  const setup = {
    baseUrl: ctx.baseUrl,
    productId: '100001',
    accessKey: identity.productKey,
    devId: identity.devId,
    deviceName: identity.deviceName,
    deviceKey: identity.deviceKey,
    version: identity.fromVersion,
    manuf: identity.manuf,
    model: identity.model,
    type: 2 as const,
    stateDir,
    ...(rule.scenario.device?.power === undefined ? {} : { power: rule.scenario.device.power }),
    ...(rule.scenario.device?.signal === undefined ? {} : { signal: rule.scenario.device.signal }),
    platform: ctx.observed.platform,
    ...(firmware ? { firmware } : {}),
  };
  const states: StateChange[] = [];
  const pending = [...(rule.scenario.triggers ?? [])];
  let session: DeviceSession = ctx.device.start(setup);
  let restartedAfterSeq: number | undefined;
  let lastActivity = performance.now();
  // A self-polling device keeps checking for tasks forever; what shows it is done is that it stopped upgrading.
  let lastUpgradeStep = performance.now();
  let restart: Promise<void> | undefined;

  ctx.observed.onRequest = async (entry) => {
    lastActivity = performance.now();
    if (!polling.has(entry.operation?.replace(/Legacy$/, '') ?? '')) lastUpgradeStep = lastActivity;
    const actions: Promise<void>[] = [];
    const deviceTask = ctx.platform.state.deviceTasks.get(`${taskId}/${identity.devId}`);
    if (deviceTask && states.at(-1)?.state !== deviceTask.state)
      states.push({ time: entry.time, state: deviceTask.state, seq: entry.seq });
    for (const trigger of [...pending]) {
      if (!due(trigger.when, ctx.platform)) continue;
      pending.splice(pending.indexOf(trigger), 1);
      if (trigger.do === 'restart-device') {
        // Not awaited: the device's own request is still being answered, and a kill waits for the device to stop.
        restartedAfterSeq = entry.seq;
        restart = session.kill().then(() => {
          session = ctx.device.start(setup);
        });
      } else {
        actions.push(act(trigger.do, ctx.platform, taskId, rule));
      }
    }
    // The device gets its answer only after the triggered change, so the next request sees it.
    await Promise.all(actions);
  };
  try {
    const deadline = performance.now() + (ctx.caseTimeoutMs ?? 60_000);
    for (;;) {
      const current = session;
      const tick = new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), 50));
      const outcome = await Promise.race([current.done.then((exit) => ({ exit })), tick]);
      if (restart) {
        await restart;
        restart = undefined;
        continue;
      }
      if (outcome !== 'tick' && current === session)
        return {
          exit: outcome.exit,
          timedOut: false,
          states,
          ...(restartedAfterSeq === undefined ? {} : { restartedAfterSeq }),
        };
      const idle = ctx.idleMs ?? 10_000;
      if (ctx.device.waits && deviceJournal(ctx.platform).length > 0 && performance.now() - lastUpgradeStep > idle) {
        // Done upgrading (or never started): judge it. Silence before the first request is the timeout's business.
        return { timedOut: false, states, ...(restartedAfterSeq === undefined ? {} : { restartedAfterSeq }) };
      }
      if (ctx.device.waits && deviceJournal(ctx.platform).length > 0 && performance.now() - lastActivity > idle * 3) {
        return { timedOut: true, states, ...(restartedAfterSeq === undefined ? {} : { restartedAfterSeq }) };
      }
      if (performance.now() > deadline) {
        await session.kill();
        return { timedOut: true, states, ...(restartedAfterSeq === undefined ? {} : { restartedAfterSeq }) };
      }
    }
  } finally {
    ctx.observed.onRequest = undefined;
  }
}

function due(when: When, platform: Platform): boolean {
  const journal = deviceJournal(platform);
  if (when.downloads !== undefined)
    return journal.filter((e) => e.operation?.startsWith('downloadPackage')).length >= when.downloads;
  if (when.errno) {
    const { operation, errno, count = 1 } = when.errno;
    return (
      journal.filter((e) => e.operation?.replace(/Legacy$/, '') === operation && e.errno === errno).length >= count
    );
  }
  return false;
}

async function act(
  action: Exclude<Action, 'restart-device'>,
  platform: Platform,
  taskId: string,
  rule: Rule,
): Promise<void> {
  if (action === 'expire-token') return platform.clock.advance(48 * 3600_000 + 1000);
  if (action === 'pass-deadline') return platform.clock.advance((rule.scenario.deadlineAfterMs ?? 0) + 1000);
  await platform.fetch(
    new Request(`http://conformance.invalid/api/v1/products/100001/tasks/${taskId}/${action}`, { method: 'POST' }),
  );
}
