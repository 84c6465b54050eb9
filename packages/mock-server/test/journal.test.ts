import { describe, expect, it } from 'vitest';
import { Journal } from '../src/core/journal.ts';

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
