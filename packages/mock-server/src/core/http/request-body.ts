import { Md5 } from '@onenet-ota/sdk';
import { SlicedMd5 } from '../domain/hash.ts';

/** A request body as the platform read it. */
export interface ReadBody {
  bytes: Uint8Array;
  /** The body passed the limit: nothing was kept and the rest was not read. */
  overflow: boolean;
  /** MD5 of the bytes, when asked for (package and patch uploads). */
  md5?: string;
  /** The body did not come whole (the client closed, or stopped sending): why, in words; nothing was kept. */
  incomplete?: string;
}

/**
 * Reads a body, counting as it streams: at `limit` it stops reading, cancels the rest and reports an overflow
 * (the bytes so far are dropped). Nothing past the limit is ever held, whatever `Content-Length` said or did not.
 * Each chunk is copied into one buffer as it arrives and then let go, so what a body costs is its bytes whatever
 * its framing: a chunked body of a million one-byte chunks held a million chunk objects (issue 28).
 * With `hash`, the MD5 is computed chunk by chunk as the bytes arrive, so a large upload never holds the event loop.
 */
export async function readBody(request: Request, limit: number, hash = false): Promise<ReadBody> {
  const empty = { bytes: new Uint8Array(), overflow: false };
  if (!request.body) return hash ? { ...empty, md5: new Md5().hex() } : empty;
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await request.body.cancel().catch(() => {});
    return { ...empty, overflow: true };
  }
  const md5 = hash ? new SlicedMd5() : undefined;
  // With a declared length the bytes are copied into place as they arrive (no 64 MiB copy at the end); without
  // one (chunked), into a buffer that doubles as it fills, never past the limit.
  let bytes: Uint8Array = new Uint8Array(Number.isSafeInteger(declared) && declared > 0 ? declared : 0);
  const reader = request.body.getReader();
  let total = 0;
  for (;;) {
    let read: ReadableStreamReadResult<Uint8Array>;
    try {
      read = await reader.read();
    } catch (error) {
      return { ...empty, incomplete: incompleteBody(total, declared, error) };
    }
    const { done, value } = read;
    if (done) break;
    if (total + value.length > limit) {
      await reader.cancel().catch(() => {});
      return { ...empty, overflow: true };
    }
    if (total + value.length > bytes.length) bytes = grown(bytes, total, total + value.length, limit);
    bytes.set(value, total);
    total += value.length;
    if (md5) await md5.update(value);
  }
  return {
    bytes: total === bytes.length ? bytes : bytes.slice(0, total),
    overflow: false,
    ...(md5 ? { md5: md5.hex() } : {}),
  };
}

/** A buffer holding the first `used` bytes of `bytes`, with room for `needed`: doubled, at most `limit`. */
function grown(bytes: Uint8Array, used: number, needed: number, limit: number): Uint8Array {
  const larger = new Uint8Array(Math.min(limit, Math.max(needed, bytes.length * 2, 1024)));
  larger.set(bytes.subarray(0, used));
  return larger;
}

/**
 * Why a body is incomplete, in words: how many bytes came of how many `Content-Length` announced (NaN: none, a
 * chunked body), then what the HTTP adapter said happened (the connection closed, or went silent).
 */
export function incompleteBody(received: number, declared: number, error: unknown): string {
  const why = error instanceof Error ? error.message : String(error);
  return Number.isSafeInteger(declared)
    ? `${received} of the ${declared} bytes its Content-Length announced came, then ${why}: Content-Length must count the body's bytes exactly`
    : `${received} bytes came and not the chunked body's last chunk, then ${why}`;
}
