/** How the platform tells time. */
export type ClockMode = 'real' | 'virtual';

/**
 * The platform's clock. Token lifetimes, schedules, deadlines and the journal all read it, so a test can run
 * 48 hours of OneNET time in milliseconds. A virtual clock stands still until set or advanced.
 */
export interface Clock {
  readonly mode: ClockMode;
  /** Platform time, Unix milliseconds. */
  now(): number;
  /** Moves a virtual clock to `ms`; refused on a real clock. */
  set(ms: number): void;
  /** Moves a virtual clock forward by `ms`; refused on a real clock. */
  advance(ms: number): void;
}

/** Thrown when a real clock is asked to move. */
export class ClockError extends Error {
  override name = 'ClockError';
}

/** Thrown when a virtual clock is asked to leave the times the spec's timestamps can write. */
export class ClockRangeError extends Error {
  override name = 'ClockRangeError';
}

/**
 * The times every answer can carry as an RFC 3339 `date-time`: years 0000 to 9999. (A `Date` reaches further,
 * to ±8.64e15 ms, but writes those years as `+275760-…`, which no client parses.)
 */
export const clockRange = { earliest: -62_167_219_200_000, latest: 253_402_300_799_999 } as const;

function within(ms: number): number {
  if (!(ms >= clockRange.earliest && ms <= clockRange.latest))
    throw new ClockRangeError(
      `the clock shows times from 0000-01-01 to 9999-12-31 (RFC 3339), Unix ms ${clockRange.earliest} to ${clockRange.latest}`,
    );
  return ms;
}

/** A real clock, or a virtual one starting at `start` (Unix ms; the machine's time by default). */
export function createClock(mode: ClockMode = 'virtual', start: number = Date.now()): Clock {
  if (mode === 'real') {
    const refuse = () => {
      throw new ClockError('the platform runs on a real clock; start it with a virtual clock to move time');
    };
    return { mode, now: () => Date.now(), set: refuse, advance: refuse };
  }
  let current = start;
  return {
    mode,
    now: () => current,
    set(ms) {
      current = within(ms);
    },
    advance(ms) {
      if (!(ms >= 0)) throw new ClockError('the clock only moves forward by a non-negative amount');
      current = within(current + ms);
    },
  };
}
