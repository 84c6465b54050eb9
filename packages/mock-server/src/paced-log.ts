import type { Journal, LogBrief, LoggedEntry } from './core/journal/journal.ts';
import { type RequestLineOptions, requestLine } from './request-log.ts';

/** Options of {@link PacedLog}. */
export interface PacedLogOptions {
  /** Where each line goes, newline included (a `LogWriter`'s `line`). */
  write: (line: string) => void;
  /** One line for one call (`requestLine`). */
  format: (entry: LoggedEntry) => string;
  /** Lines a second printed one by one; past it, calls are grouped until the second ends. 100 by default. */
  perSecond?: number;
  /** Machine time in ms; `performance.now` by default. */
  now?: () => number;
}

/**
 * The request log at a person's pace: a device on the bench makes a few calls a second, and each gets its line; a
 * load test makes thousands, which no one reads and whose lines cost more CPU than the platform's own work (issue
 * 30: 15 µs a task check under wrk). Past `perSecond` lines in a second, the rest of that second is one line per
 * device, operation and answer, with a count. `--log json` and the journal keep every call.
 */
export class PacedLog {
  readonly #write: (line: string) => void;
  readonly #format: (entry: LoggedEntry) => string;
  readonly #perSecond: number;
  readonly #now: () => number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #printed = 0;
  readonly #groups = new Map<string, Group>();
  /** The group the last grouped call joined: under load the next call is most often of the same device and answer. */
  #lastGroup: Group | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: PacedLogOptions) {
    this.#write = options.write;
    this.#format = options.format;
    this.#perSecond = options.perSecond ?? 100;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Takes one completed call: its line now, or a count in its group. */
  take(brief: LogBrief, read: () => LoggedEntry): void {
    const now = this.#now();
    if (now - this.#windowStart >= 1000) {
      this.flush();
      this.#windowStart = now;
      this.#printed = 0;
    }
    if (this.#printed < this.#perSecond) {
      this.#printed++;
      this.#write(`${this.#format(read())}\n`);
      return;
    }
    this.#lastGroup = this.#groupOf(brief);
    this.#lastGroup.count++;
    this.#lastGroup.brief = brief;
    if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), Math.max(0, this.#windowStart + 1000 - now));
      this.#timer.unref?.();
    }
  }

  /** The group a call joins: the last call's, found without making its key (a string and its hash, perf), or by it. */
  #groupOf(brief: LogBrief): Group {
    const last = this.#lastGroup;
    if (last && sameGroup(last.brief, brief)) return last;
    const key = groupKey(brief);
    let group = this.#groups.get(key);
    if (!group) {
      group = { brief, count: 0 };
      this.#groups.set(key, group);
    }
    return group;
  }

  /** Writes the groups of the second so far. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const { brief, count } of this.#groups.values()) {
      const time = new Date(brief.time).toISOString().slice(11, 23);
      const who = brief.devId === undefined ? '' : `dev ${brief.devId}`.padEnd(14);
      const answer = brief.errno === undefined ? `→ ${brief.status}` : `errno ${brief.errno}`;
      this.#write(
        `${time} ${who} ${(brief.operation ?? '(no operation)').padEnd(16)} ×${count} more, ${answer} (over ${this.#perSecond} lines a second: grouped; --log json keeps each)\n`,
      );
    }
    this.#groups.clear();
    this.#lastGroup = undefined;
  }
}

/** The calls of a second grouped under one line: their device, operation and answer, and how many. */
interface Group {
  brief: LogBrief;
  count: number;
}

function groupKey(brief: LogBrief): string {
  return `${brief.devId}\n${brief.operation}\n${brief.errno}\n${brief.status}`;
}

function sameGroup(a: LogBrief, b: LogBrief): boolean {
  return a.devId === b.devId && a.operation === b.operation && a.errno === b.errno && a.status === b.status;
}

/**
 * The request log as `ota-mock` prints it: a line per completed call of `journal` (`requestLine`), at a person's
 * pace. Returns what writes the groups of the second so far, for a stop.
 */
export function logRequests(
  journal: Journal,
  write: (line: string) => void,
  options: RequestLineOptions = {},
): () => void {
  const paced = new PacedLog({ write, format: (entry) => requestLine(entry, options) });
  journal.onCompleteBrief((brief, read) => paced.take(brief, read));
  return () => paced.flush();
}
