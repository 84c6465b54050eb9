import { createDeviceClient } from '@onenet-ota/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BodyOutcome, countedStream } from '../src/core/http/answer-body.ts';
import { takeWhole, utf8Length, WholeAnswer } from '../src/core/http/whole-answer.ts';
import { createPlatform, demo, demoImage } from '../src/index.ts';
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

  it('is a Response to instanceof and answers every member Response.prototype has as a Response would', async () => {
    // It never runs undici's constructor: a getter it did not define would throw undici's brand check here.
    const answer = new WholeAnswer(bytes, { ...init, status: 206 });
    const real = new Response(bytes, { ...init, status: 206 });
    expect(answer).toBeInstanceOf(Response);
    for (const name of Object.getOwnPropertyNames(Response.prototype)) {
      if (name === 'constructor') continue;
      const ours = (answer as unknown as Record<string, unknown>)[name];
      const theirs = (real as unknown as Record<string, unknown>)[name];
      expect([name, typeof ours]).toEqual([name, typeof theirs]);
      if (typeof theirs !== 'object' && typeof theirs !== 'function') expect([name, ours]).toEqual([name, theirs]);
    }
    expect([...answer.headers]).toEqual([...real.headers]);
    expect(Object.prototype.toString.call(answer)).toBe('[object Response]');
    expect(new Uint8Array(await answer.arrayBuffer())).toEqual(new Uint8Array(await real.arrayBuffer()));
  });

  it('reads JSON from the text it was made of, once, as a body is read once', async () => {
    const text = '{"errno":0,"error":"succ"}';
    const answer = new WholeAnswer(new TextEncoder().encode(text), { ...init, json: text });
    expect(await answer.clone().json()).toEqual({ errno: 0, error: 'succ' });
    expect(await answer.text()).toBe(text);
    expect(answer.bodyUsed).toBe(true);
    await expect(answer.json()).rejects.toThrow(TypeError);
    expect(() => answer.clone()).toThrow(TypeError);
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
    // A caller that reads only through Response's methods (the fleet) gets the platform's own JSON answer.
    const lazy = await platform.fetch(request(), { lazyBodies: true });
    expect(lazy).toBeInstanceOf(WholeAnswer);
    expect(((await lazy.json()) as { errno: number }).errno).toBe(1);
    // A control answer skips the body shaping that would otherwise make it plain: still plain here.
    expect(await platform.fetch(new Request('http://mock/__mock/clock'))).not.toBeInstanceOf(WholeAnswer);
  });

  it('hands a door that writes whole bodies every answer nothing shapes as one: control, console, early answers', async () => {
    const platform = createPlatform({ seed: 'demo' });
    // Without it the door streamed them through an undici Response: 40 µs more CPU for a GET /__mock/clock.
    for (const path of ['/__mock/clock', '/ota/nowhere?dev_id=1', '/api/v1/nowhere']) {
      const response = await platform.fetch(new Request(`http://127.0.0.1${path}`), { wholeBodies: true });
      const whole = takeWhole(response);
      expect([path, whole?.size]).toEqual([path, Number(response.headers.get('content-length'))]);
      whole?.end({ bytesSent: whole.size, aborted: false });
    }
  });
});

// In process, an unshaped package range is one stream over the stored bytes that counts what was read: the journal
// and the retry accounting must see a whole read as complete and a reader that stops early as gone away.
describe('a package range in process', () => {
  it('is aborted when the reader drops it, and complete when read to its last byte', async () => {
    const platform = createPlatform({ seed: 'demo' });
    const client = createDeviceClient({
      baseUrl: 'http://mock',
      productId: demo.productId,
      accessKey: demo.productKey,
      now: platform.clock.now,
      fetch: (request) => platform.fetch(request),
    });
    const check = await client.GET('/ota/south/check', { params: { query: checkQuery() } });
    const token = check.data?.data?.token as string;
    await client.GET('/ota/south/download/{token}/check', {
      params: { path: { token }, query: { dev_id: demo.devId } },
    });
    const download = (range: string) =>
      platform.fetch(
        new Request(`http://mock/ota/south/download/${token}?dev_id=${demo.devId}`, { headers: { Range: range } }),
      );
    const entries = () => platform.journal.query({ operation: 'downloadPackage' }).entries;
    const deviceTask = () => platform.state.deviceTasks.get(`tsk_1/${demo.devId}`);

    // Dropped before a byte was read: aborted, with nothing sent.
    await (await download('bytes=0-999')).body?.cancel();
    expect(entries()[0]?.response).toMatchObject({ status: 206, bytesSent: 0, aborted: true });
    expect(deviceTask()).toMatchObject({ servedUpTo: 0, retriesUsed: 0, downloadInterrupted: true });

    // Asked again and read whole: a retry, complete with its last byte.
    const whole = new Uint8Array(await (await download('bytes=0-65535')).arrayBuffer());
    expect(whole).toEqual(demoImage(demo.packageSize));
    expect(entries()[1]?.response).toMatchObject({ status: 206, bytesSent: 65_536 });
    expect(entries()[1]?.response.aborted).toBeUndefined();
    expect(deviceTask()).toMatchObject({ servedUpTo: 65_536, retriesUsed: 1, downloadInterrupted: false });
  });
});

describe('countedStream', () => {
  const bytes = new Uint8Array(100_000).map((_, i) => i % 251);

  it('ends with its last chunk when read whole', async () => {
    const outcomes: BodyOutcome[] = [];
    const read = new Uint8Array(await new Response(countedStream(bytes, (o) => outcomes.push(o))).arrayBuffer());
    expect(read).toEqual(bytes);
    expect(outcomes).toEqual([{ bytesSent: 100_000, aborted: false }]);
  });

  it('says how far a reader that stopped early got', async () => {
    const outcomes: BodyOutcome[] = [];
    const reader = countedStream(bytes, (o) => outcomes.push(o)).getReader();
    expect((await reader.read()).value?.length).toBe(65_536);
    await reader.cancel();
    expect(outcomes).toEqual([{ bytesSent: 65_536, aborted: true }]);
  });
});

// A JSON answer is kept as text and its Content-Length counted from it: the count must be what the text encodes to,
// for Chinese errno texts and anything JSON.stringify can make.
describe('utf8Length', () => {
  it('counts what TextEncoder makes of any text, surrogates alone or paired', () => {
    const units = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), units), (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
      { numRuns: 3000 },
    );
    expect(utf8Length('{"errno":7,"error":"获取文件失败"}')).toBe(40);
  });

  it('counts texts longer than its scratch buffer, and those that fill it part way, as TextEncoder does', () => {
    const units = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) });
    // 1 400 units of three bytes fill 4 096 bytes before they are all read; 5 000 ASCII ones do not fit at all.
    const long = fc.tuple(units, fc.constantFrom('中'.repeat(1400), 'a'.repeat(5000), '🚀'.repeat(1100)), units);
    fc.assert(
      fc.property(long, ([before, middle, after]) => {
        const text = before + middle + after;
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
      { numRuns: 300 },
    );
  });

  it('is the length of a text answer read back as bytes, through every path', async () => {
    const text = '{"code":0,"msg":"成功 ✓ 🚀"}';
    const answer = new WholeAnswer(text, {
      status: 200,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(utf8Length(text)) },
      json: text,
    });
    const bytes = new Uint8Array(await answer.clone().arrayBuffer());
    expect(bytes).toEqual(new TextEncoder().encode(text));
    expect(Number(answer.headers.get('content-length'))).toBe(bytes.length);
    expect(await answer.json()).toEqual({ code: 0, msg: '成功 ✓ 🚀' });
  });
});
