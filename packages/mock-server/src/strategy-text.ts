import type { components } from '@onenet-ota/sdk';

/**
 * A task's strategy in a tester's words: `signal > 10, battery > 20 %, retry 3 × 300 s, manual start`. The web
 * console and ota-fleet's report show it so, not as JSON.
 */
export function strategyText(strategy: components['schemas']['TaskStrategy']): string {
  const { signal, power, retry, start, deadline } = strategy;
  return [
    signal > 0 ? `signal > ${signal}` : 'any signal',
    power > 0 ? `battery > ${power} %` : 'any battery',
    retry.mode === 'retry' ? `retry ${retry.count} × ${retry.intervalSeconds} s` : 'no retry',
    start.mode === 'scheduled' ? `starts ${start.at}` : 'manual start',
    ...(deadline ? [`deadline ${deadline}`] : []),
  ].join(', ');
}
