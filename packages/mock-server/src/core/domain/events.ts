import type { DeviceTaskRecord, TaskRecord } from './records.ts';

type DeviceState = DeviceTaskRecord['state'];

/** A device of a task moved from one state to another (after the move). */
export interface DeviceMove {
  task: TaskRecord;
  deviceTask: DeviceTaskRecord;
  from: DeviceState;
  to: DeviceState;
}

/**
 * What happens on the platform that the doors other than HTTP tell devices and servers about: the MQTT inform of
 * the new platform (a task started) and the legacy push to a receiver URL (a task started, a device began
 * downloading, finished downloading, upgraded). Listeners run synchronously, after the change, and must not throw.
 */
export class PlatformEvents {
  readonly #taskStarted = new Set<(task: TaskRecord, devIds: readonly number[]) => void>();
  readonly #deviceMoved = new Set<(move: DeviceMove) => void>();

  /**
   * Calls `listener` with every task that starts (by hand or at its scheduled time) and the devices still in it
   * (those that did not fail at the start, busy in another task or deleted); returns the unsubscribe.
   */
  onTaskStarted(listener: (task: TaskRecord, devIds: readonly number[]) => void): () => void {
    this.#taskStarted.add(listener);
    return () => this.#taskStarted.delete(listener);
  }

  /** Calls `listener` with every device state change in a task; returns the unsubscribe. */
  onDeviceMoved(listener: (move: DeviceMove) => void): () => void {
    this.#deviceMoved.add(listener);
    return () => this.#deviceMoved.delete(listener);
  }

  /** Tells every listener a task started; the platform calls it. */
  taskStarted(task: TaskRecord, devIds: readonly number[]): void {
    for (const listener of this.#taskStarted) listener(task, devIds);
  }

  /** Tells every listener a device moved; the platform calls it. */
  deviceMoved(move: DeviceMove): void {
    for (const listener of this.#deviceMoved) listener(move);
  }
}
