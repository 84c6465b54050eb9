import { describe, expect, it } from 'vitest';
import { Journal, type JournalEntry } from '../src/core/journal.ts';
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
