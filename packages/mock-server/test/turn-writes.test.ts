import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { endThisTurn } from '../src/turn-writes.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function serving(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handle);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A GET's status and body, or the error that ended it. */
function get(url: string): Promise<{ status: number; body: string } | Error> {
  return new Promise((resolve) => {
    request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', resolve)
      .end();
  });
}

describe('answers written at the end of the turn', () => {
  it('leave after the handler returns, before the next turn, whole', async () => {
    const seen: string[] = [];
    const url = await serving((_req, res) => {
      res.writeHead(200, { 'Content-Length': '5' });
      endThisTurn(res, 'hello');
      seen.push(`in the handler: ended ${res.writableEnded}`);
      setImmediate(() => seen.push(`in the turn's check phase: ended ${res.writableEnded}`));
    });
    expect(await get(url)).toEqual({ status: 200, body: 'hello' });
    expect(seen).toEqual(['in the handler: ended false', "in the turn's check phase: ended true"]);
  });

  it('all go out when several requests are answered in one turn', async () => {
    let answered = 0;
    const url = await serving((_req, res) => {
      answered += 1;
      res.writeHead(200, { 'Content-Length': String(String(answered).length) });
      endThisTurn(res, String(answered));
    });
    const got = await Promise.all(Array.from({ length: 20 }, () => get(url)));
    expect(got.map((r) => (r instanceof Error ? r.message : r.body)).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
  });

  it('go out at once when 16 wait, without waiting for the turn to end', async () => {
    const held: ServerResponse[] = [];
    const ended: boolean[] = [];
    const url = await serving((_req, res) => {
      res.writeHead(200, { 'Content-Length': '2' });
      held.push(res);
      if (held.length < 16) return;
      // Every request has arrived; all sixteen answers are made now, in this one handler.
      for (const waiting of held) endThisTurn(waiting, 'ok');
      ended.push(...held.map((r) => r.writableEnded));
    });
    const got = await Promise.all(Array.from({ length: 16 }, () => get(url)));
    expect(got).toEqual(Array.from({ length: 16 }, () => ({ status: 200, body: 'ok' })));
    expect(ended).toEqual(Array.from({ length: 16 }, () => true));
  });

  it('drop the answer of a connection gone meanwhile, report it aborted, and still serve the others', async () => {
    const closed: boolean[] = [];
    let calls = 0;
    const url = await serving((req, res) => {
      calls += 1;
      res.once('close', () => closed.push(res.writableFinished));
      res.writeHead(200, { 'Content-Length': '2' });
      endThisTurn(res, 'ok');
      // The first client's connection ends before its answer is written.
      if (calls === 1) req.socket.destroy();
    });
    expect(await get(url)).toBeInstanceOf(Error);
    expect(await get(url)).toEqual({ status: 200, body: 'ok' });
    expect(closed).toEqual([false, true]);
  });

  it('reset the connection of an answer that cannot be ended, and write the rest of the turn', async () => {
    let calls = 0;
    const url = await serving((_req, res) => {
      calls += 1;
      res.writeHead(200, { 'Content-Length': '2' });
      if (calls === 1)
        res.end = () => {
          throw new Error('not writable');
        };
      endThisTurn(res, 'ok');
    });
    const [first, second] = await Promise.all([get(url), get(url)]);
    expect([first, second].filter((r) => r instanceof Error)).toHaveLength(1);
    expect([first, second].filter((r) => !(r instanceof Error))).toEqual([{ status: 200, body: 'ok' }]);
  });
});
