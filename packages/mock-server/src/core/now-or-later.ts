// The platform answers most device calls without waiting for anything (a GET a handler answers from memory), and at
// tens of thousands of calls a second a promise per step is a measurable part of the answer. Steps that may wait
// return a value or a promise of it, and are chained with `andThen`, which waits only when there is something to
// wait for.

/** A value now, or a promise of it when it must be waited for. */
export type NowOrLater<T> = T | Promise<T>;

/** `next(value)` now when `value` is here, else once it is. */
export function andThen<T, R>(value: NowOrLater<T>, next: (value: T) => NowOrLater<R>): NowOrLater<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
