import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeldCall, type HeldParts } from '../src/core/journal/call-record.ts';
import { Journal, type JournalEntry } from '../src/core/journal/journal.ts';
import { createPlatform } from '../src/index.ts';
import { startServer } from '../src/node.ts';
import { checkQuery, demoAuthorization } from './harness.ts';
import { rawRequest } from './raw-http.ts';

const entry = (devId: number) => ({
  time: '2026-11-29T00:00:00.000Z',
  wallTime: '2026-11-29T00:00:00.000Z',
  durationMs: 0,
  devId,
  operation: 'checkTask',
  request: { method: 'GET', path: '/ota/south/check', query: {}, headers: {} },
  response: { status: 200, headers: {}, bytesSent: 0 },
  faults: [],
});

describe('the journal', () => {
  it('reads what came after a seq, filtered and limited, also once the oldest entries were dropped', () => {
    const journal = new Journal(1000);
    for (let i = 0; i < 1500; i++) journal.add(entry(i % 3));
    // 1500 entries in a journal of 1000: the oldest tenths went, seq kept counting.
    const all = journal.query({ limit: 100_000 }).entries;
    expect(all[0]?.seq).toBeGreaterThan(1);
    expect(all.at(-1)?.seq).toBe(1500);
    const after = journal.query({ since: 1200, devId: 1, limit: 50 });
    expect(after.entries.every((e) => e.seq > 1200 && e.devId === 1)).toBe(true);
    expect(after.entries).toHaveLength(50);
    expect(after.entries[0]?.seq).toBe(1201 + ((1 - (1200 % 3) + 3) % 3));
    expect(after.nextSeq).toBe(1501);
    expect(journal.query({ since: 1500 }).entries).toEqual([]);
    expect(journal.query({ since: 0, limit: 3 }).entries.map((e) => e.seq)).toEqual(all.slice(0, 3).map((e) => e.seq));
  });
});

// The node door journals a call from Node's raw header list, held until read; in process it comes from a web
// Request. A device must be judged the same whichever way it came.
describe('a journaled call', () => {
  it('reads the same through the node door as in process: headers lower-cased, sorted, repeats joined, empty kept, sign redacted', async () => {
    const platform = createPlatform({ seed: 'demo' });
    const server = await startServer({ platform, port: 0 });
    const authorization = await demoAuthorization(platform);
    const query = new URLSearchParams(Object.entries(checkQuery()).map(([k, v]) => [k, String(v)]));
    const path = `/ota/south/check?${query}`;
    try {
      // Through the node door, raw, with a header sent twice and names in odd case.
      const { port } = new URL(server.url);
      const raw = await rawRequest(server.url, path, [
        ['AUTHORIZATION', authorization],
        ['X-Trace', 'a'],
        ['x-trace', 'b'],
        ['X-Empty', ''],
      ]);
      expect(raw.statusLine).toMatch(/^HTTP\/1.1 200/);
      // In process, the same call as a web Request.
      const headers = new Headers({ Host: `127.0.0.1:${port}`, Authorization: authorization, Connection: 'close' });
      headers.append('X-Trace', 'a');
      headers.append('X-Trace', 'b');
      headers.append('X-Empty', '');
      await (await platform.fetch(new Request(`http://127.0.0.1:${port}${path}`, { headers }))).text();

      const [door, inProcess] = platform.journal.query({ operation: 'checkTask' }).entries;
      const comparable = (entry: JournalEntry | undefined) => ({ ...entry, seq: 0, wallTime: '', durationMs: 0 });
      expect(comparable(door)).toEqual(comparable(inProcess));
      expect(door?.request.headers).toEqual({
        authorization: expect.stringMatching(/&sign=<redacted>$/),
        connection: 'close',
        host: `127.0.0.1:${port}`,
        'x-empty': '',
        'x-trace': 'a, b',
      });
      expect(Object.keys(door?.request.headers ?? {})).toEqual([
        'authorization',
        'connection',
        'host',
        'x-empty',
        'x-trace',
      ]);
      expect(door?.request.query).toEqual(Object.fromEntries(query));
      expect(door?.response).toMatchObject({
        status: 200,
        headers: { 'content-type': 'application/json', 'content-length': expect.any(String) },
        body: { json: { errno: 0, error: 'succ', data: expect.objectContaining({ token: expect.any(String) }) } },
      });
      expect(door?.response.bytesSent).toBe(Number(door?.response.headers['content-length']));
    } finally {
      await server.close();
    }
  });
});

// A finished call is packed into bytes and read back as an object: every field the platform can set must survive,
// and the byte budget must drop the oldest calls, never a newer one or one still being answered.
describe('the journal packs finished calls', () => {
  const held = (overrides: Partial<HeldCall> = {}, parts: Partial<HeldParts> = {}) =>
    Object.assign(
      new HeldCall({
        time: Date.UTC(2026, 10, 30),
        wallTime: Date.UTC(2026, 10, 30, 1),
        operation: 'downloadPackage',
        method: 'GET',
        href: 'http://127.0.0.1:8787/ota/south/download/tok?dev_id=7&x=%E4%B8%AD',
        requestHeaders: ['Host', '127.0.0.1:8787', 'Range', 'bytes=0-99', 'Authorization', 'version=1&sign=abc'],
        status: 206,
        responseHeaders: { 'Content-Type': 'application/octet-stream', 'Content-Range': 'bytes 0-99/1000' },
        faults: [],
        ...parts,
      }),
      overrides,
    );

  it('reads every field of a call the same before and after it is packed', () => {
    const calls = [
      held(
        { devId: 7, streamed: true, bytesSent: 100, auth: 'accepted', durationMs: 1.25, rangeRule: 'start-reset' },
        { faults: ['f1', 'f2'] },
      ),
      held({
        devId: 7,
        errno: 3,
        aborted: true,
        auth: 'refused',
        note: '令牌 expired\n(second line)',
        tolerated: [{ pointer: '/query/manuf', message: 'missing' }],
        exception: 'TypeError: x',
        requestBody: { size: 12, contentType: 'application/json', json: { step: 10 } },
        responseBody: { size: 1, contentType: 'text/plain', md5: 'c4ca4238a0b923820dcc509a6f75849b' },
      }),
      held(
        { responseJson: '{"errno":0,"error":"succ","data":{"v":"中文"}}', redactJson: true },
        { operation: null, method: 'POST', responseHeaders: ['content-type', 'application/json'], requestHeaders: [] },
      ),
    ];
    // The same calls again, as a polling device repeats itself: packed as pointers to the first ones' parts.
    const json = calls[2]?.responseJson;
    calls.push(
      held({ devId: 7 }),
      held({ responseJson: json }, { operation: null, responseHeaders: ['content-type', 'application/json'] }),
    );
    const journal = new Journal();
    for (const call of calls) journal.hold(call);
    const open = journal.query().entries;
    for (const call of calls) journal.complete(call);
    const packed = journal.query().entries;
    expect(packed).toEqual(open);
    expect(packed.map((e) => e.devId)).toEqual([7, 7, undefined, 7, undefined]);
    expect(packed[0]?.range?.rule).toBe('start-reset');
    expect(packed[4]?.response.body?.json).toEqual({ errno: 0, error: 'succ', data: { v: '中文' } });
    expect(journal.query({ devId: 7, operation: 'downloadPackage' }).entries).toHaveLength(3);
    expect(journal.query({ operation: 'downloadPackage', since: 1 }).entries.map((e) => e.seq)).toEqual([2, 4]);
  });

  it('reads any header lists the same before and after packing, repeated or not, short or long, ASCII or not', () => {
    // Header lists are packed as they are (a line feed between texts), and written by a loop or, from 32 characters
    // on, by the encoder; a repeat is a pointer. Names are tokens and values bytes, as Node and the fetch standard
    // hand them over (Latin-1 above 0x7f).
    const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/);
    const byte = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }));
    const value = fc.oneof(
      fc.string({ unit: byte.map((code) => String.fromCharCode(code)), maxLength: 80 }),
      fc.constantFrom('x'.repeat(31), 'y'.repeat(32), `é${'z'.repeat(40)}`, ''),
    );
    const list = fc.array(fc.tuple(token, value), { maxLength: 6 }).map((pairs) => pairs.flat());
    const call = fc.record({ devId: fc.constantFrom(1, 2), request: list, answer: list, repeats: fc.nat(2) });
    // After its repeats, a call may come again with one text of its request changed, its length kept: a pointer must
    // stand for the same texts, not the same lengths.
    const changed = (texts: string[]) =>
      texts.map((text, i) => (i === texts.length - 1 ? text.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : text));
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 8 }), (calls) => {
        const journal = new Journal();
        const made = calls.flatMap(({ devId, request, answer, repeats }) => [
          ...Array.from({ length: repeats + 1 }, () =>
            held({ devId }, { requestHeaders: [...request], responseHeaders: [...answer] }),
          ),
          held({ devId }, { requestHeaders: changed(request), responseHeaders: changed(answer) }),
        ]);
        for (const one of made) journal.hold(one);
        const open = journal.query().entries;
        for (const one of made) journal.complete(one);
        expect(journal.query().entries).toEqual(open);
      }),
      { numRuns: 300 },
    );
  });

  it("packs a polling device's repeated call as pointers to its first: a few dozen bytes of parts", () => {
    // 256 KiB: four chunks of 64 KiB. Written out, each call's parts take about 270 bytes; as pointers about 60.
    const journal = new Journal(100_000, 256 * 1024);
    for (let i = 0; i < 20_000; i++) journal.complete(journal.hold(held({ devId: 2 })));
    const kept = journal.nextSeq() - journal.firstSeq();
    expect(kept).toBeGreaterThan(1_500);
    expect(journal.query({ limit: 1 }).entries[0]?.request.headers.range).toBe('bytes=0-99');
  });

  it('drops the oldest calls when its bytes are full, keeps the ones still being answered in order, and counts on', () => {
    // 256 KiB: four chunks of 64 KiB.
    const journal = new Journal(100_000, 256 * 1024);
    const stillOpen = journal.hold(held({ devId: 1 }));
    for (let i = 0; i < 20_000; i++) journal.complete(journal.hold(held({ devId: 2 + (i % 5), bytesSent: i })));
    const first = journal.firstSeq();
    // The open call was older than every reused chunk: gone with them, as the oldest entries go.
    expect(first).toBeGreaterThan(10_000);
    const all = journal.query({ limit: 100_000 }).entries;
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 20_002 - first }, (_, i) => first + i));
    expect(all.at(-1)?.response.bytesSent).toBe(19_999);
    // Every one read whole, whether its parts were written out or point at a call before it in its chunk.
    for (const e of all) {
      expect(e.request).toMatchObject({ path: '/ota/south/download/tok', query: { dev_id: '7', x: '中' } });
      expect(e.request.headers).toEqual({
        host: '127.0.0.1:8787',
        range: 'bytes=0-99',
        authorization: 'version=1&sign=<redacted>',
      });
      expect(e.response.headers['content-range']).toBe('bytes 0-99/1000');
    }
    // Completing a call that was dropped changes nothing.
    journal.complete(stillOpen);
    expect(journal.query({ limit: 100_000 }).entries).toHaveLength(all.length);
    // A call still open among packed ones is read as it stands now, and packed when it completes.
    const open = journal.hold(held({ devId: 9 }));
    journal.complete(journal.hold(held({ devId: 2 })));
    open.bytesSent = 50;
    expect(journal.query({ devId: 9 }).entries[0]?.response.bytesSent).toBe(50);
    open.bytesSent = 60;
    journal.complete(open);
    open.bytesSent = 70;
    expect(journal.query({ devId: 9 }).entries[0]?.response.bytesSent).toBe(60);
    expect(journal.nextSeq()).toBe(20_004);
  });

  it('gives a durable store what changed, packed or not, and restores what it kept', () => {
    const journal = new Journal();
    journal.trackChanges();
    const a = journal.hold(held({ devId: 1 }));
    const b = journal.hold(held({ devId: 2 }));
    journal.complete(a);
    const changed = journal.drainChanged();
    expect(changed.map((e) => [e.seq, e.devId])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    journal.complete(b);
    expect(journal.drainChanged().map((e) => e.seq)).toEqual([2]);
    const restored = new Journal();
    restored.restore(journal.query().entries, journal.nextSeq());
    expect(restored.query().entries).toEqual(journal.query().entries);
    expect(restored.query({ devId: 2 }).entries.map((e) => e.seq)).toEqual([2]);
    expect(restored.nextSeq()).toBe(3);
  });
});

// A journal of large entries read at its maximum (issue 28): stored values are cut, and one read streams and stops
// at its size bound, saying so, instead of building one string of gigabytes.
describe('a journal read at its maximum', () => {
  it('keeps at most 64 query parameters of at most 1 KiB, and a path of at most 1 KiB', async () => {
    const platform = createPlatform({ seed: 'demo' });
    const params = new URLSearchParams({ dev_id: '32981907', big: 'v'.repeat(15_000) });
    for (let i = 0; i < 80; i++) params.append(`p${i}`, 'x');
    await platform.fetch(new Request(`http://127.0.0.1/ota/south/check?${params}`));
    await platform.fetch(new Request(`http://127.0.0.1/ota/${'a'.repeat(5000)}/check`));
    const [check, long] = platform.journal.query().entries;
    expect(check?.request.query.big).toBe(`${'v'.repeat(1024)}…[13976 more characters not kept]`);
    expect(Object.keys(check?.request.query ?? {})).toHaveLength(64);
    expect(long?.request.path.length).toBe(1024);
  });

  it('streams, stops at 16 MiB with truncated, and reads on from the last entry without a gap', async () => {
    const platform = createPlatform({ seed: 'none' });
    // Entries of about 64 KiB each: 64 parameters of 1 KiB.
    const params = new URLSearchParams();
    for (let i = 0; i < 64; i++) params.append(`p${i}`, String(i).repeat(1024));
    for (let i = 0; i < 400; i++) await platform.fetch(new Request(`http://127.0.0.1/api/v1/account?${params}`));
    const server = await startServer({ port: 0, platform });
    try {
      const seen: number[] = [];
      let since = 0;
      let reads = 0;
      for (;;) {
        const answer = await fetch(`${server.url}/__mock/journal?limit=100000&since=${since}`);
        expect(answer.headers.get('content-length')).toBeNull();
        const text = await answer.text();
        expect(text.length).toBeLessThan(17 * 1024 * 1024);
        const page = JSON.parse(text) as { entries: JournalEntry[]; nextSeq: number; truncated?: boolean };
        reads++;
        seen.push(...page.entries.map((e) => e.seq));
        if (!page.truncated) break;
        since = page.entries.at(-1)?.seq ?? since;
      }
      expect(reads).toBeGreaterThan(1);
      expect(seen).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    } finally {
      await server.close();
    }
  });
});
