import { Md5 } from '@onenet-ota/sdk';
import { SlicedMd5 } from './hash.ts';

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
  // With a declared length the bytes are copied into place as they arrive (no 64 MiB copy at the end).
  let bytes: Uint8Array | undefined =
    Number.isSafeInteger(declared) && declared > 0 ? new Uint8Array(declared) : undefined;
  const chunks: Uint8Array[] = [];
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
    if (bytes && total + value.length <= bytes.length) bytes.set(value, total);
    else chunks.push(value);
    total += value.length;
    if (md5) await md5.update(value);
  }
  if (!bytes || chunks.length > 0 || total !== bytes.length) bytes = concat(bytes, total, chunks);
  return { bytes: bytes ?? empty.bytes, overflow: false, ...(md5 ? { md5: md5.hex() } : {}) };
}

// The bytes as one buffer when the body did not fit its declared length (or declared none).
function concat(head: Uint8Array | undefined, total: number, chunks: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(total);
  const headLength = head ? total - chunks.reduce((n, c) => n + c.length, 0) : 0;
  if (head) bytes.set(head.subarray(0, headLength));
  let at = headLength;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
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
