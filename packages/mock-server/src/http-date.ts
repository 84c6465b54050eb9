import type { Clock } from './core/domain/clock.ts';

/**
 * A `Date` header value (RFC 9110 §5.6.7) in platform time: the time a device that sets its clock from HTTP
 * answers reads, so it sees the virtual clock's jumps as the platform judges tokens and deadlines by them.
 * Node's own `Date` is the machine's time. Formatted once per second, as Node does for its own.
 */
export function platformDate(clock: Pick<Clock, 'now'>): () => string {
  let second = Number.NaN;
  let text = '';
  return () => {
    const now = Math.floor(clock.now() / 1000);
    if (now !== second) {
      second = now;
      text = new Date(now * 1000).toUTCString();
    }
    return text;
  };
}
