/** Bytes per chunk when streaming a stored file: big enough for throughput, small enough to shape precisely. */
const chunkSize = 64 * 1024;

/**
 * Streams `bytes[start..end]` (inclusive) as zero-copy views of the stored file, one chunk per pull, so a
 * download never copies or holds the whole package per request.
 */
export function rangeStream(bytes: Uint8Array, start: number, end: number): ReadableStream<Uint8Array> {
  let offset = start;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset > end) {
          controller.close();
          return;
        }
        const next = Math.min(offset + chunkSize, end + 1);
        controller.enqueue(bytes.subarray(offset, next));
        offset = next;
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * `bytes` as a stream of zero-copy chunks that reports how it ended: what an unshaped download costs in process,
 * one stream instead of a file stream wrapped by {@link shapeBody}. The last chunk goes out with the end of the
 * stream, so a reader that stops once it has every byte it expected has not gone away early.
 */
export function countedStream(bytes: Uint8Array, onEnd: (outcome: BodyOutcome) => void): ReadableStream<Uint8Array> {
  let sent = 0;
  let ended = false;
  const end = (aborted: boolean) => {
    if (ended) return;
    ended = true;
    onEnd({ bytesSent: sent, aborted });
  };
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = Math.min(sent + chunkSize, bytes.length);
        if (next > sent) controller.enqueue(bytes.subarray(sent, next));
        sent = next;
        if (sent < bytes.length) return;
        end(false);
        controller.close();
      },
      cancel() {
        end(true);
      },
    },
    { highWaterMark: 0 },
  );
}

/** What faults do to a response body, as offsets into the body. */
export interface BodyShape {
  /** Error the stream (the HTTP adapter resets the connection) after this many bytes. */
  resetAfter?: number;
  /** End the stream cleanly after this many bytes although Content-Length announced more. */
  truncateAfter?: number;
  /** Stop for `ms` after `afterBytes` bytes. */
  stall?: { afterBytes: number; ms: number };
  /** Send at most this many bytes per second. */
  bytesPerSecond?: number;
  /** Invert `count` bytes starting at body offset `from`. */
  corrupt?: { from: number; count: number };
}

/** How a body stream ended: how many bytes went out, and whether the stream was cut or the peer went away. */
export interface BodyOutcome {
  bytesSent: number;
  aborted: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps a body with the shape faults ask for and reports how it ended. With no shape it still counts bytes,
 * which the journal and the retry accounting need.
 */
export function shapeBody(
  source: ReadableStream<Uint8Array>,
  shape: BodyShape,
  onEnd: (outcome: BodyOutcome) => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let sent = 0;
  let stalled = false;
  let ended = false;
  const started = Date.now();
  const end = (aborted: boolean) => {
    if (ended) return;
    ended = true;
    onEnd({ bytesSent: sent, aborted });
  };
  const limit = Math.min(shape.resetAfter ?? Number.POSITIVE_INFINITY, shape.truncateAfter ?? Number.POSITIVE_INFINITY);

  // Read one chunk ahead, so the last chunk goes out together with the end of the stream: a client that stops
  // reading once it has every byte it expected then does not look like one that went away early.
  let ahead = reader.read();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (sent >= limit) {
          await reader.cancel();
          end(true);
          if (shape.resetAfter !== undefined && sent >= shape.resetAfter) {
            controller.error(new Error(`fault: connection reset after ${sent} bytes`));
          } else {
            controller.close();
          }
          return;
        }
        const { done, value } = await ahead;
        if (done) {
          end(false);
          controller.close();
          return;
        }
        ahead = reader.read();
        let chunk = value.subarray(0, Math.max(0, limit - sent));
        if (shape.stall && !stalled && sent + chunk.length > shape.stall.afterBytes) {
          // Send up to the stall point, then hold the rest of this chunk back for `ms`.
          const before = chunk.subarray(0, shape.stall.afterBytes - sent);
          if (before.length > 0) {
            controller.enqueue(before);
            sent += before.length;
          }
          stalled = true;
          await sleep(shape.stall.ms);
          chunk = chunk.subarray(before.length);
        }
        if (shape.corrupt) chunk = corrupt(chunk, sent, shape.corrupt);
        if (shape.bytesPerSecond) {
          const due = started + ((sent + chunk.length) / shape.bytesPerSecond) * 1000;
          if (due > Date.now()) await sleep(due - Date.now());
        }
        if (chunk.length > 0) controller.enqueue(chunk);
        sent += chunk.length;
        const next = await ahead;
        if (next.done && sent < limit) {
          end(false);
          controller.close();
        } else {
          ahead = Promise.resolve(next);
        }
      },
      async cancel(reason) {
        end(true);
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

// Copies only a chunk that overlaps the corrupt window; the stored file is never touched.
function corrupt(chunk: Uint8Array, offset: number, window: { from: number; count: number }): Uint8Array {
  const from = Math.max(window.from, offset);
  const to = Math.min(window.from + window.count, offset + chunk.length);
  if (from >= to) return chunk;
  const copy = chunk.slice();
  for (let i = from; i < to; i++) copy[i - offset] = (copy[i - offset] as number) ^ 0xff;
  return copy;
}
