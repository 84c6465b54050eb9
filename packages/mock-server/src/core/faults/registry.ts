import type { components } from '@onenet-ota/sdk';
import type { Clock } from '../domain/clock.ts';

/** A fault rule as the control API shows it (spec schema `Fault`). */
export type Fault = components['schemas']['Fault'];
/** A fault rule to add (spec schema `FaultCreate`). */
export type FaultCreate = components['schemas']['FaultCreate'];
/** What a fault does (spec schema `FaultAction`). */
export type FaultAction = components['schemas']['FaultAction'];

/** What a request is matched on. */
export interface FaultTarget {
  devId?: number;
  /** The operation as routed and its canonical operation (an alias matches both). */
  operations: string[];
}

/** A fault rule with its match count, as snapshots keep it. */
export interface FaultRule {
  fault: Fault;
  /** Requests that matched `devId` and `operation` since the rule was added (for `nth`). */
  seen: number;
}

/**
 * The declarative fault rules of the mock control API. Rules apply in the order they were added; each fires
 * at most `times` times (null: until removed).
 */
export class FaultRegistry {
  #rules: FaultRule[] = [];
  #nextId = 1;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Adds a rule; `times` defaults to 1. */
  add(create: FaultCreate): Fault {
    const fault: Fault = {
      id: `flt_${this.#nextId++}`,
      match: create.match ?? {},
      action: create.action,
      times: create.times === undefined ? 1 : create.times,
      hits: 0,
      createdAt: new Date(this.#clock.now()).toISOString(),
    };
    this.#rules.push({ fault, seen: 0 });
    return fault;
  }

  /** Every rule, in the order they apply. */
  list(): Fault[] {
    return this.#rules.map((r) => r.fault);
  }

  /** Removes a rule; false when there was none with that id. */
  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.fault.id !== id);
    return this.#rules.length < before;
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules = [];
  }

  /** How many rules there are: none on a platform under load, whose requests then skip matching. */
  get size(): number {
    return this.#rules.length;
  }

  /** The rules that fire for this request, counted as fired. */
  fire(target: FaultTarget): Fault[] {
    const fired: Fault[] = [];
    for (const rule of this.#rules) {
      const { devId, operation, nth } = rule.fault.match;
      if (devId !== undefined && devId !== target.devId) continue;
      if (operation !== undefined && !target.operations.includes(operation)) continue;
      rule.seen++;
      if (nth !== undefined && rule.seen !== nth) continue;
      if (rule.fault.times !== null && rule.fault.hits >= rule.fault.times) continue;
      rule.fault.hits++;
      fired.push(rule.fault);
    }
    return fired;
  }

  /** Plain data of the rules, for snapshots. */
  snapshot(): FaultRule[] {
    return structuredClone(this.#rules);
  }

  /** The rules as JSON sees them, without the copy `snapshot()` makes (a durable store writes them often). */
  toJSON(): readonly FaultRule[] {
    return this.#rules;
  }

  /** Puts back the rules of a snapshot. */
  restore(rules: FaultRule[]): void {
    this.#rules = structuredClone(rules);
    // Ids go on after the highest restored one, so a fault added later never takes an id already in use.
    for (const rule of this.#rules) this.#nextId = Math.max(this.#nextId, Number(rule.fault.id.slice(4)) + 1);
  }
}
