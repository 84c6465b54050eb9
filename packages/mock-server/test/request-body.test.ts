import { md5Hex } from '@onenet-ota/sdk';
import { describe, expect, it } from 'vitest';
import { readBody } from '../src/core/http/request-body.ts';
import { demoImage } from '../src/index.ts';

// The platform reads bodies in place as they stream and hashes uploads on the way in. These cases feed the
// reader the shapes real senders produce: a declared length met exactly, no length (chunked), a length the body
// does not match (MSW passes what the caller built), chunks of uneven sizes, and bodies past the limit.

const pulls = new WeakMap<Request, () => number>();

function streamed(bytes: Uint8Array, cuts: number[], headers: Record<string, string> = {}): Request {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.slice(at, cut));
    at = cut;
  }
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  const request = new Request('http://127.0.0.1/upload', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);
  pulls.set(request, () => pulled);
  return request;
}

const image = demoImage(3 * 1024 * 1024 + 17, 5);
const cuts = [1, 65_536, 1_048_577, 2_000_000, 3 * 1024 * 1024];

describe('readBody', () => {
  it.each([
    ['the declared length', { 'content-length': String(image.length) }],
    ['no declared length (chunked)', {}],
    ['a declared length shorter than the body', { 'content-length': String(image.length - 1000) }],
    ['a declared length longer than the body', { 'content-length': String(image.length + 1000) }],
  ])('keeps every byte and hashes them with %s', async (_label, headers) => {
    const read = await readBody(streamed(image, cuts, headers), 8 * 1024 * 1024, true);
    expect(read.overflow).toBe(false);
    expect(Buffer.from(read.bytes).equals(Buffer.from(image))).toBe(true);
    expect(read.md5).toBe(md5Hex(image));
  });

  it('stops at the limit without a declared length, and keeps nothing', async () => {
    const read = await readBody(streamed(image, cuts), 2 * 1024 * 1024, true);
    expect(read).toEqual({ bytes: new Uint8Array(), overflow: true });
  });

  it('refuses a declared length past the limit before reading', async () => {
    const request = streamed(image, cuts, { 'content-length': String(image.length) });
    const read = await readBody(request, 1024);
    expect(read.overflow).toBe(true);
    // The stream starts one chunk ahead on its own; the reader asked for none of the rest.
    expect(pulls.get(request)?.()).toBeLessThanOrEqual(1);
  });

  it('hashes an empty upload as the MD5 of nothing', async () => {
    const read = await readBody(streamed(new Uint8Array(), []), 1024, true);
    expect(read.bytes.length).toBe(0);
    expect(read.md5).toBe(md5Hex(new Uint8Array()));
  });
});
