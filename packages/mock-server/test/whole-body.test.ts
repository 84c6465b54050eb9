import { describe, expect, it } from 'vitest';
import { WholeAnswer } from '../src/core/whole-body.ts';
import { createPlatform } from '../src/index.ts';
import { checkQuery } from './harness.ts';

// An answer whose body the platform holds reads like any Response, and never leaves platform.fetch as anything
// but a plain one unless the caller writes whole bodies itself.
describe('WholeAnswer', () => {
  const bytes = new TextEncoder().encode('{"errno":0,"error":"succ"}');
  const init = { status: 200, headers: { 'Content-Type': 'application/json', 'Content-Length': String(bytes.length) } };

  it('reads as its bytes through every Response method, the body stream included', async () => {
    expect(await new WholeAnswer(bytes, init).json()).toEqual({ errno: 0, error: 'succ' });
    expect(await new WholeAnswer(bytes, init).clone().text()).toBe('{"errno":0,"error":"succ"}');
    const answer = new WholeAnswer(bytes, init);
    expect(answer.bodyUsed).toBe(false);
    const read = await (answer.body as ReadableStream<Uint8Array>).getReader().read();
    expect(new TextDecoder().decode(read.value)).toBe('{"errno":0,"error":"succ"}');
    expect(answer.bodyUsed).toBe(true);
    expect([answer.status, answer.headers.get('content-length')]).toEqual([200, String(bytes.length)]);
  });

  it('leaves platform.fetch as a plain Response, unless the caller asked for whole bodies', async () => {
    const platform = createPlatform({ seed: 'demo' });
    const request = () =>
      new Request(
        `http://mock/ota/south/check?${new URLSearchParams(Object.entries(checkQuery()).map(([k, v]) => [k, String(v)]))}`,
      );
    const plain = await platform.fetch(request());
    expect(plain).not.toBeInstanceOf(WholeAnswer);
    expect((await plain.json()).errno).toBe(1);
    expect(await platform.fetch(request(), { wholeBodies: true })).toBeInstanceOf(WholeAnswer);
    // A control answer skips the body shaping that would otherwise make it plain: still plain here.
    expect(await platform.fetch(new Request('http://mock/__mock/clock'))).not.toBeInstanceOf(WholeAnswer);
  });
});
