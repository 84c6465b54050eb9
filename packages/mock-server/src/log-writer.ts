/**
 * Lines written together: each line is added to a buffer, and the buffer goes out in one write once the event loop
 * has answered what it had, or when it passes 64 KiB. A line per request through `process.stdout` was a write
 * system call each (stdout to a pipe or a file writes synchronously on Linux), and cost the platform more than
 * all its other work on a task check (issue 30).
 */
export class LogWriter {
  readonly #write: (text: string) => void;
  #pending = '';
  #scheduled: NodeJS.Immediate | undefined;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  /** Adds a line (with its newline); it is written within this turn of the event loop. */
  line(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= 64 * 1024) this.flush();
    else this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes what is pending now. */
  flush(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#write(text);
  }
}
