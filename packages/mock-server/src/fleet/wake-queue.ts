/** A sleeper: when it wakes, and the order it went to sleep in (ties wake in that order, for determinism). */
export interface Sleeper {
  at: number;
  order: number;
  wake: () => void;
}

const before = (a: Sleeper, b: Sleeper) => a.at < b.at || (a.at === b.at && a.order < b.order);

/** A binary min-heap of sleepers by wake-up time: O(log n) to add or take, for ten thousand devices. */
export class WakeQueue {
  readonly #heap: Sleeper[] = [];

  get size(): number {
    return this.#heap.length;
  }

  /** The earliest wake-up, without taking it. */
  peek(): Sleeper | undefined {
    return this.#heap[0];
  }

  push(sleeper: Sleeper): void {
    const heap = this.#heap;
    heap.push(sleeper);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Sleeper, heap[parent] as Sleeper)) break;
      [heap[i], heap[parent]] = [heap[parent] as Sleeper, heap[i] as Sleeper];
      i = parent;
    }
  }

  pop(): Sleeper | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heap.length && before(heap[left] as Sleeper, heap[least] as Sleeper)) least = left;
        if (right < heap.length && before(heap[right] as Sleeper, heap[least] as Sleeper)) least = right;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least] as Sleeper, heap[i] as Sleeper];
        i = least;
      }
    }
    return top;
  }
}
