import { contentRange } from '../wire/byte-ranges.ts';
import type { AgentStore } from './store.ts';

/** How one fragment request ended. */
export type FragmentResult =
  /** `received` bytes were written from the requested offset (all of the rest of the file for a 200). */
  | { kind: 'ok'; received: number }
  /** OneNET's one-byte error body (protocol §2.4): 1 not found, 2 size mismatch, 3 invalid token, 4–6 others. */
  | { kind: 'error-byte'; code: number }
  /** Studio and the new platform: an `Ota-Errno` other than 0, whatever the HTTP status (protocol §4.4). */
  | { kind: 'ota-errno'; code: number }
  /** Worth a retry: `received` good bytes were written before it failed. */
  | { kind: 'failed'; received: number; reason: string };

/** What {@link fetchFragment} needs. */
export interface FragmentRequest {
  /** Sends the download request with this `Range` value (the generation's path and credentials). */
  download: (range: string, signal: AbortSignal) => Promise<Response>;
  /** First byte wanted and last byte wanted (inclusive). */
  offset: number;
  end: number;
  /** The package size from the check response. */
  size: number;
  store: AgentStore;
  /** Abandon the request when no byte arrives for this long (wall time). */
  idleTimeoutMs: number;
}

/**
 * Fetches bytes `offset`…`end` and streams them into the store, checking what a careful device checks: the status,
 * `Content-Range` against the request, `Content-Length` against the bytes, and OneNET's one-byte error body
 * (no `Content-Length`), or Studio's and the new platform's `Ota-Errno`. A 200 to a Range request is the whole file: the bytes before `offset` are skipped.
 *
 * OneNET's smallest range is 2 bytes ("每次获取分片包的最小范围限制为2个字节"), so a one-byte tail is asked together
 * with the byte before it, and a one-byte package as `bytes=0-1`, which the platform clamps to the file.
 */
export async function fetchFragment(request: FragmentRequest): Promise<FragmentResult> {
  const { download, offset, end, size, store, idleTimeoutMs } = request;
  const from = end - offset + 1 >= 2 ? offset : Math.max(0, end - 1);
  const askedEnd = Math.max(end, from + 1);
  // What a 206 carries: the asked range, its end clamped to the file ("end>=文件总长度len，则默认end=len-1").
  const servedEnd = Math.min(askedEnd, size - 1);
  const abort = new AbortController();
  const watchdog = new Watchdog(idleTimeoutMs, () => abort.abort(new Error(`no data for ${idleTimeoutMs} ms`)));
  try {
    const response = await download(`bytes=${from}-${askedEnd}`, abort.signal);
    const body = response.body;
    const length = response.headers.get('content-length');
    // "HTTP 状态码可能仍是 200，只有它说实话": on Studio and the new platform the header decides, not the status.
    const otaErrno = response.headers.get('ota-errno');
    if (otaErrno !== null && otaErrno.trim() !== '0') {
      await body?.cancel();
      return { kind: 'ota-errno', code: Number(otaErrno) };
    }
    if (response.status === 200 && length === null) {
      const bytes = body ? new Uint8Array(await new Response(body).arrayBuffer()) : new Uint8Array();
      if (bytes.length !== 1)
        return { kind: 'failed', received: 0, reason: `200 without Content-Length and ${bytes.length} bytes` };
      // The docs send the digit as text ("返回的字符是：1"); the official C SDK reads the raw byte. Accept both.
      const byte = bytes[0] as number;
      return { kind: 'error-byte', code: byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : byte };
    }
    if (response.status === 206) {
      const served = contentRange(response.headers.get('content-range'));
      if (served?.start !== from || served.end !== servedEnd || served.length !== size) {
        await body?.cancel();
        return {
          kind: 'failed',
          received: 0,
          reason: `Content-Range "${response.headers.get('content-range')}" is not bytes ${from}-${servedEnd}/${size}`,
        };
      }
      if (Number(length) !== servedEnd - from + 1) {
        await body?.cancel();
        return { kind: 'failed', received: 0, reason: `Content-Length ${length} is not ${servedEnd - from + 1}` };
      }
      return await copy(body, store, offset, offset - from, end - offset + 1, watchdog);
    }
    if (response.status === 200) {
      if (Number(length) !== size) {
        await body?.cancel();
        return {
          kind: 'failed',
          received: 0,
          reason: `200 with Content-Length ${length}, the package is ${size} bytes`,
        };
      }
      // A 200 to a Range request carries the whole file: keep what lies at and after `offset`.
      return await copy(body, store, offset, offset, size - offset, watchdog);
    }
    await body?.cancel();
    return { kind: 'failed', received: 0, reason: `HTTP ${response.status}` };
  } catch (error) {
    return { kind: 'failed', received: 0, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    watchdog.stop();
  }
}

/** Copies `expected` bytes of the body into the store at `offset`, after skipping `skip` leading bytes. */
async function copy(
  body: ReadableStream<Uint8Array> | null,
  store: AgentStore,
  offset: number,
  skip: number,
  expected: number,
  watchdog: Watchdog,
): Promise<FragmentResult> {
  if (!body) return { kind: 'failed', received: 0, reason: 'no body' };
  const reader = body.getReader();
  let skipped = 0;
  let received = 0;
  try {
    while (received < expected) {
      const { done, value } = await reader.read();
      if (done) break;
      watchdog.kick();
      let chunk = value;
      if (skipped < skip) {
        const drop = Math.min(skip - skipped, chunk.length);
        skipped += drop;
        chunk = chunk.subarray(drop);
      }
      chunk = chunk.subarray(0, expected - received);
      if (chunk.length === 0) continue;
      await store.write(offset + received, chunk);
      received += chunk.length;
    }
  } catch (error) {
    return {
      kind: 'failed',
      received,
      reason: `connection lost after ${received} bytes: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    reader.cancel().catch(() => {});
  }
  return received === expected
    ? { kind: 'ok', received }
    : { kind: 'failed', received, reason: `body ended after ${received} of ${expected} bytes` };
}

/** Fires `onIdle` when `kick` was not called for `ms` (wall time: a network watchdog, not platform time). */
class Watchdog {
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #ms: number;
  readonly #onIdle: () => void;
  constructor(ms: number, onIdle: () => void) {
    this.#ms = ms;
    this.#onIdle = onIdle;
    this.kick();
  }
  kick(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onIdle, this.#ms);
  }
  stop(): void {
    clearTimeout(this.#timer);
  }
}
