import type { BodyOutcome } from './body.ts';

// An answer whose body is bytes the platform already holds (a JSON envelope, a range of a stored package) can be
// written by an HTTP adapter in one call instead of being pumped through a web stream chunk by chunk: at tens of
// thousands of small answers a second, the stream machinery costs more than the answer. The platform marks such
// answers; an adapter that asked for them (`fetch(request, { wholeBodies: true })`) takes the bytes, writes them,
// and says how the write ended, which is what completes the journal entry and the device's download accounting.

const known = new WeakMap<Response, Uint8Array>();
const pending = new WeakMap<Response, (outcome: BodyOutcome) => void>();

/** Marks `response` as carrying exactly `bytes` (its body stream yields the same bytes for anyone else). */
export function markWhole(response: Response, bytes: Uint8Array): Response {
  known.set(response, bytes);
  return response;
}

/** The bytes a response was marked with, if any. */
export function wholeBytes(response: Response): Uint8Array | undefined {
  return known.get(response);
}

/** Registers what must happen when an adapter has written the bytes of `response` (or failed to). */
export function awaitWholeEnd(response: Response, end: (outcome: BodyOutcome) => void): void {
  pending.set(response, end);
}

/**
 * For an adapter that asked for whole bodies: the bytes to write and the function to call once they are written
 * (or the peer went away), or undefined when the answer must be streamed (a fault shapes it, or it is not bytes
 * the platform holds).
 */
export function takeWhole(response: Response): { bytes: Uint8Array; end(outcome: BodyOutcome): void } | undefined {
  const bytes = known.get(response);
  const end = pending.get(response);
  if (!bytes || !end) return undefined;
  pending.delete(response);
  return { bytes, end };
}

/** Moves the marks of `from` to `to`, a response made around the same body (with other headers). */
export function carryWhole(from: Response, to: Response): Response {
  const bytes = known.get(from);
  if (bytes) known.set(to, bytes);
  const end = pending.get(from);
  if (end) {
    pending.set(to, end);
    pending.delete(from);
  }
  return to;
}
