import { failureText } from '../agent/failure-text.ts';
import type { UpgradeResult } from '../agent/options.ts';
import type { OtaAgent } from '../agent/ota-agent.ts';
import { type InformListener, type InformListenerOptions, listenForInform } from './inform-listener.ts';

/**
 * The MQTT-triggered flow of the new platform's devices (protocol §4.6): subscribe to `ota/inform` first, check
 * once (QoS 0: a task that started while the device was away sends nothing again), and when nothing is there
 * wait for an inform, answer it and check again. A broker that refuses the device ends the run as an `error`
 * whose detail starts with `mqtt:`.
 *
 * @example
 * const result = await runInformed(agent, { url, productId, deviceName, accessKey: deviceKey, timeoutMs: 60_000, log });
 */
export async function runInformed(
  agent: OtaAgent,
  options: Omit<InformListenerOptions, 'log'> & { timeoutMs: number; log: (line: string) => void },
): Promise<UpgradeResult & { informed?: string }> {
  // The JSON summary says which inform started the upgrade (`informed`: its id).
  let listener: InformListener;
  try {
    listener = await listenForInform(options);
  } catch (error) {
    const detail = `mqtt: ${failureText(error)}`;
    return { outcome: 'error', detail, reported: [], bytesDownloaded: 0, retriesUsed: 0, flows: 0 };
  }
  try {
    const first = await agent.run();
    if (first.outcome !== 'no-task') return first;
    const inform = await listener.next(options.timeoutMs);
    if (!inform) return first;
    return { ...(await agent.run()), informed: inform.id };
  } finally {
    await listener.close();
  }
}
