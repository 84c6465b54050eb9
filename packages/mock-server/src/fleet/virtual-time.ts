import type { Clock } from '../core/domain/clock.ts';
import { type Sleeper, WakeQueue } from './wake-queue.ts';

/**
 * Runs many simulated devices on the platform's virtual clock as a discrete-event simulation: a device that
 * sleeps (a retry interval, a poll period, a slow link) waits for platform time, and whenever every device is
 * asleep or done, the clock jumps to the earliest wake-up. Everything else a device does (its requests to the
 * in-process platform) takes no platform time, so 48 hours of rollout pass in seconds, the same way every run.
 */
export class VirtualTime {
  readonly #clock: Clock;
  /** Also moves a remote platform's clock (`PUT /__mock/clock`) before anyone wakes. */
  readonly #moveRemote: ((ms: number) => Promise<void>) | undefined;
  /** Sleepers by wake-up time, in the order they went to sleep (ties wake in that order: determinism). */
  readonly #sleepers = new WakeQueue();
  #order = 0;
  #running = 0;
  #jumping = false;
  #sinceYield = 0;
  /** Actions at fixed platform times (pause the task, cancel it), run before the devices due then. */
  readonly #actions: { at: number; run: () => Promise<void> }[] = [];

  constructor(clock: Clock, moveRemote?: (ms: number) => Promise<void>) {
    this.#clock = clock;
    this.#moveRemote = moveRemote;
  }

  async #set(ms: number): Promise<void> {
    if (ms <= this.#clock.now()) return;
    this.#clock.set(ms);
    await this.#moveRemote?.(ms);
  }

  /** Counts a device as running until `work` settles. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.#running++;
    try {
      return await work();
    } finally {
      this.#running--;
      this.#maybeJump();
    }
  }

  /** Waits `ms` of platform time. */
  sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      // Wake-ups fall on 100 ms steps, so devices due together run together.
      const at = Math.ceil((this.#clock.now() + Math.max(0, ms)) / 100) * 100;
      this.#sleepers.push({ at, order: this.#order++, wake });
      this.#running--;
      this.#maybeJump();
    }).then(() => {
      this.#running++;
    });

  /** Runs `run` when the platform clock reaches `at`. */
  at(at: number, run: () => Promise<void>): void {
    this.#actions.push({ at, run });
    this.#actions.sort((a, b) => a.at - b.at);
  }

  /** Platform time now. */
  now = (): number => this.#clock.now();

  #maybeJump(): void {
    // Nobody asleep: every device is done (or still running), and nothing is left to wake.
    if (this.#running > 0 || this.#jumping || this.#sleepers.size === 0) return;
    this.#jumping = true;
    // After the microtasks already queued: a device that just woke counts itself running in one of them. A turn
    // of the event loop now and then lets timers (a progress bar) and I/O (a remote platform) through.
    if (++this.#sinceYield < 256) queueMicrotask(() => void this.#jump());
    else {
      this.#sinceYield = 0;
      setImmediate(() => void this.#jump());
    }
  }

  async #jump(): Promise<void> {
    try {
      if (this.#running > 0 || this.#sleepers.size === 0) return;
      const next = this.#sleepers.peek()?.at as number;
      const action = this.#actions[0];
      if (action && action.at <= next) {
        this.#actions.shift();
        await this.#set(action.at);
        await action.run();
        return;
      }
      await this.#set(next);
      const due: (() => void)[] = [];
      while ((this.#sleepers.peek()?.at ?? Number.POSITIVE_INFINITY) <= next)
        due.push((this.#sleepers.pop() as Sleeper).wake);
      for (const wake of due) wake();
    } finally {
      this.#jumping = false;
      this.#maybeJump();
    }
  }
}
