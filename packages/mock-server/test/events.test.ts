import type { components } from '@onenet-ota/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { checkQuery, demoToken, type Harness, startHarness } from './harness.ts';

type Entry = components['schemas']['JournalEntry'];
type Event = { id?: string; event?: string; data?: string };

let h: Harness;
afterEach(() => h?.close());

/** Reads Server-Sent Events from a real HTTP stream, as `EventSource` parses them (fields until a blank line). */
async function follow(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: Event[] = [];
  const next = async (): Promise<Event> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: Event = {};
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          if (field === 'id' || field === 'event' || field === 'data') event[field] = rest.join(': ');
        }
        if (event.event) {
          events.push(event);
          return event;
        }
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended after ${events.length} events`);
      buffer += decoder.decode(value, { stream: true });
    }
  };
  return { response, next, close: () => reader.cancel() };
}

const entryOf = (event: Event) => JSON.parse(event.data ?? '{}') as Entry;

describe('/__mock/events', () => {
  it('streams each journal entry as it completes, a download once its bytes went out, with seq as id', async () => {
    h = await startHarness();
    const stream = await follow(`${h.url}/__mock/events`);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.response.headers.get('cache-control')).toBe('no-store');
    const token = await demoToken(h);
    const check = entryOf(await stream.next());
    expect(check).toMatchObject({ operation: 'checkTask', errno: 0 });
    await h.device.GET('/ota/south/download/{token}/check', {
      params: { path: { token }, query: { dev_id: checkQuery().dev_id } },
    });
    await stream.next();
    const download = await h.fetch(
      new Request(`${h.url}/ota/south/download/${token}`, { headers: { Range: 'bytes=0-4095' } }),
    );
    await download.arrayBuffer();
    const event = await stream.next();
    expect(event.id).toBe(String(entryOf(event).seq));
    expect(entryOf(event)).toMatchObject({
      operation: 'downloadPackage',
      response: { status: 206, bytesSent: 4096, headers: { 'content-range': 'bytes 0-4095/65536' } },
    });
    await stream.close();
  });

  it('replays what a reconnecting reader missed, after Last-Event-ID or since', async () => {
    h = await startHarness();
    for (let i = 0; i < 3; i++) await h.device.GET('/ota/south/check', { params: { query: checkQuery() } });
    const seqs = h.platform.journal.query({}).entries.map((e) => e.seq);
    const resumed = await follow(`${h.url}/__mock/events`, { 'Last-Event-ID': String(seqs[0]) });
    expect([(await resumed.next()).id, (await resumed.next()).id]).toEqual(seqs.slice(1).map(String));
    await resumed.close();
    const since = await follow(`${h.url}/__mock/events?since=0`);
    expect((await since.next()).id).toBe(String(seqs[0]));
    await since.close();
    expect((await h.fetch(new Request(`${h.url}/__mock/events?since=-1`))).status).toBe(400);
  });

  it('leaves out the console’s own reads, and keeps every other management call', async () => {
    h = await startHarness();
    await h.fetch(new Request(`${h.url}/api/v1/products`, { headers: { 'X-Ota-Console': '1' } }));
    await h.fetch(new Request(`${h.url}/api/v1/products`));
    expect(h.platform.journal.query({}).entries.map((e) => e.operation)).toEqual(['listProducts']);
  });

  it('beyond loopback takes the admin token as ?access_token (what EventSource can send), nowhere else', async () => {
    h = await startHarness({ seed: 'demo', adminToken: 'a-long-admin-token-0123456789' });
    expect((await h.fetch(new Request(`${h.url}/__mock/events`))).status).toBe(401);
    const wrong = await h.fetch(new Request(`${h.url}/__mock/ui?access_token=a-long-admin-token-0123456788`));
    expect(wrong.status).toBe(401);
    const page = await h.fetch(new Request(`${h.url}/__mock/ui?access_token=a-long-admin-token-0123456789`));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>ota-mock console</title>');
    const stream = await follow(`${h.url}/__mock/events?access_token=a-long-admin-token-0123456789`);
    expect(stream.response.status).toBe(200);
    await stream.close();
    // Only where the spec lists adminTokenQuery: the management API still wants the header.
    const products = await h.fetch(new Request(`${h.url}/api/v1/products?access_token=a-long-admin-token-0123456789`));
    expect(products.status).toBe(401);
  });

  it('stops following when the reader goes away, and the journal keeps serving its other readers', async () => {
    h = await startHarness();
    const gone = await follow(`${h.url}/__mock/events`);
    await gone.close();
    const stays = await follow(`${h.url}/__mock/events`);
    await h.device.GET('/ota/south/check', { params: { query: checkQuery() } });
    expect(entryOf(await stays.next()).operation).toBe('checkTask');
    await stays.close();
  });
});
