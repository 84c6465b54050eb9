import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { startServer } from '../src/node.ts';
import { checkQuery, type Harness, startHarness, uploadPackage } from './harness.ts';

// Any request Node can parse gets an HTTP answer, and no body is read past its limit.

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ seed: 'demo', maxUploadBytes: 1024 * 1024, maxJsonBytes: 4096 });
});
afterEach(() => h.close());

/** Sends raw bytes on a new connection and reads everything until the server closes it. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.on('data', (data) => {
      text += data.toString('latin1');
    });
    socket.on('close', () => resolve(text));
    socket.write(bytes);
  });
}

/**
 * Writes a request head, then `chunks` chunks of 64 KiB with chunked encoding for as long as the server reads;
 * resolves with the answer's head and how much was sent before it came.
 */
function upload(head: string[], chunks: number): Promise<{ answer: string; sent: number; closed: boolean }> {
  const { hostname, port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    socket.on('data', (data) => {
      answer += data.toString('latin1');
    });
    socket.on('error', () => {}); // the server may close while we write: that is the point
    socket.on('close', () => resolve({ answer, sent, closed: true }));
    socket.write(`${[...head, 'Transfer-Encoding: chunked'].join('\r\n')}\r\n\r\n`);
    const pump = () => {
      while (sent < chunks && !answer) {
        sent++;
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        if (!socket.write('\r\n')) return void socket.once('drain', pump);
      }
      if (!answer) socket.end('0\r\n\r\n');
    };
    pump();
    setTimeout(() => reject(new Error(`no answer; sent ${sent} chunks`)), 15_000).unref();
  });
}

describe('request limits', () => {
  it('refuses a chunked upload past the limit with 413 as it streams, then closes the connection', async () => {
    const query = new URLSearchParams({ name: 'huge', module: 'sota', targetVersion: 'V9', fileName: 'huge.bin' });
    const { answer, sent, closed } = await upload(
      [
        `POST /api/v1/products/${demo.productId}/packages?${query} HTTP/1.1`,
        `Host: ${new URL(h.url).host}`,
        'Content-Type: application/octet-stream',
      ],
      // 64 MiB offered; the server stops at 1 MiB.
      1024,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('urn:onenet-ota:problem:payload-too-large');
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(1024);
    // The platform is fine: the next request is answered.
    expect((await h.fetch(new Request(`${h.url}/__mock/clock`))).status).toBe(200);
  });

  // A client that sends its whole upload before reading (curl, a device's HTTP stack) has megabytes in flight when
  // the platform answers. Closing with them unread makes the kernel reset the connection, and the client loses the
  // 413 it was sent: the platform must read and drop the rest until the client is done.
  it('lets a client that writes its whole oversized upload before reading still read the 413', async () => {
    const { hostname, port } = new URL(h.url);
    const query = new URLSearchParams({ name: 'huge', module: 'sota', targetVersion: 'V9', fileName: 'huge.bin' });
    const size = 8 * 1024 * 1024;
    const answers = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<{ answer: string; error?: string }>((resolve) => {
            const socket = connect(Number(port), hostname);
            let answer = '';
            socket.on('data', (data) => {
              answer += data.toString('latin1');
            });
            socket.on('error', (error: NodeJS.ErrnoException) => resolve({ answer, error: error.code }));
            socket.on('close', () => resolve({ answer }));
            socket.write(
              `POST /api/v1/products/${demo.productId}/packages?${query} HTTP/1.1\r\nHost: ${hostname}\r\n` +
                `Content-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`,
            );
            // All of it, at once: nothing waits for the answer.
            socket.end(Buffer.alloc(size, 0x5a));
          }),
      ),
    );
    for (const { answer, error } of answers) {
      expect(error).toBeUndefined();
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toContain('urn:onenet-ota:problem:payload-too-large');
    }
  });

  it('answers a device whose JSON body is too large with errno 2, in its own terms', async () => {
    const { answer } = await upload(
      [
        `POST /ota/device/version?dev_id=${demo.devId} HTTP/1.1`,
        `Host: ${new URL(h.url).host}`,
        'Content-Type: application/json',
      ],
      4,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/"errno":(1|2),/);
  });

  it.each([
    ['TRACE /ota/south/check HTTP/1.1\r\nHost: localhost', 405, 'method-not-allowed'],
    ['CONNECT localhost:443 HTTP/1.1\r\nHost: localhost', 501, 'not-implemented'],
    ['GET /__mock/clock HTTP/1.1\r\nHost: bad host', 400, 'invalid-request'],
  ])('answers %j with %i, never a dropped connection, and journals it', async (head, status, type) => {
    const answer = await rawExchange(h.url, `${head}\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer).toContain(`urn:onenet-ota:problem:${type}`);
    // A 405 says what the path does answer (RFC 9110 §15.5.6), as OneNET's nginx front does.
    if (status === 405) expect(answer).toMatch(/\r\nAllow: GET\r\n/i);
    expect(h.platform.journal.query().entries.at(-1)).toMatchObject({ operation: null, response: { status } });
  });
});

describe('answers instead of 500s', () => {
  it('refuses a clock move past year 9999 (400) and a reset with a clock on a real clock (409)', async () => {
    const edge = await startHarness({ seed: 'demo', startAt: Date.UTC(9999, 11, 31, 23, 59, 59) });
    try {
      const tooFar = await edge.admin.POST('/__mock/clock/advance', { body: { ms: 2000 } });
      expect(tooFar.response.status).toBe(400);
      expect((tooFar.error as { detail?: string }).detail).toMatch(/from 0000-01-01 to 9999-12-31/);
      // The clock did not move, and the platform keeps answering devices and journaling them.
      expect((await edge.admin.GET('/__mock/clock')).data?.now).toBe('9999-12-31T23:59:59.000Z');
      const { data } = await edge.device.GET('/ota/device/version', { params: { query: { dev_id: demo.devId } } });
      expect(data?.errno).toBe(0);
      // A token issued now would outlive the clock: its expiry is written as the clock's end, still RFC 3339.
      const check = await edge.device.GET('/ota/south/check', { params: { query: checkQuery() } });
      expect(check.data?.errno).toBe(0);
      const status = await edge.admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices', {
        params: { path: { productId: demo.productId, taskId: 'tsk_1' } },
      });
      expect(status.data?.items[0]?.tokenExpiresAt).toBe('9999-12-31T23:59:59.999Z');
    } finally {
      await edge.close();
    }

    const real = await startHarness({ seed: 'demo', clock: 'real' });
    try {
      const reset = await real.admin.POST('/__mock/reset', {
        body: { seed: 'demo', clock: { now: '2030-01-01T00:00:00Z' } },
      });
      expect(reset.response.status).toBe(409);
      expect((await real.admin.GET('/api/v1/products')).data?.total).toBe(1);
    } finally {
      await real.close();
    }
  });

  it('answers a duplicate device name on PATCH with a documented 409', async () => {
    const created = await h.admin.POST('/api/v1/products/{productId}/devices', {
      params: { path: { productId: demo.productId } },
      body: { name: 'second', devId: 40000001 },
    });
    expect(created.response.status).toBe(201);
    const renamed = await h.admin.PATCH('/api/v1/products/{productId}/devices/{devId}', {
      params: { path: { productId: demo.productId, devId: 40000001 } },
      body: { name: demo.deviceName },
    });
    expect(renamed.response.status).toBe(409);
  });
});

describe('what the platform keeps', () => {
  it('refuses an upload past the storage quota with a documented 507', async () => {
    const small = await startHarness({ seed: 'demo', maxStorageBytes: demo.packageSize + 1000 });
    try {
      const refused = await uploadPackage(small, new Uint8Array(2000), { name: 'one-too-many' });
      expect(refused.status).toBe(507);
      expect(((await refused.json()) as { type: string }).type).toBe('urn:onenet-ota:problem:storage-full');
      expect((await uploadPackage(small, new Uint8Array(500), { name: 'fits' })).status).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('keeps header values of at most 1 KiB in the journal, saying how much was cut', async () => {
    await h.fetch(new Request(`${h.url}/__mock/clock`, { headers: { 'X-Padding': 'p'.repeat(14_000) } }));
    await h.fetch(new Request(`${h.url}/api/v1/products`, { headers: { 'X-Padding': 'p'.repeat(14_000) } }));
    const [entry] = h.platform.journal.query({ operation: 'listProducts' }).entries;
    expect(entry?.request.headers['x-padding']).toBe(`${'p'.repeat(1024)}…[12976 more characters not kept]`);
  });

  it('reads a chunked upload sent one byte per chunk, whole and in order', async () => {
    // Printable bytes: the exchange is written as text.
    const bytes = Buffer.from(Array.from({ length: 30_000 }, (_, i) => 32 + ((i * 7) % 95)));
    const query = new URLSearchParams({ name: 'drip', module: 'sota', targetVersion: 'V7', fileName: 'drip.bin' });
    const { hostname, port } = new URL(h.url);
    // Each byte its own chunk: "1\r\nX\r\n", written in a few large writes.
    const framed: Buffer[] = [];
    for (const byte of bytes) framed.push(Buffer.from('1\r\n'), Buffer.from([byte]), Buffer.from('\r\n'));
    const answer = await rawExchange(
      h.url,
      `${[
        `POST /api/v1/products/${demo.productId}/packages?${query} HTTP/1.1`,
        `Host: ${hostname}:${port}`,
        'Content-Type: application/octet-stream',
        'Transfer-Encoding: chunked',
        'Connection: close',
      ].join('\r\n')}\r\n\r\n${Buffer.concat([...framed, Buffer.from('0\r\n\r\n')]).toString('latin1')}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    const created = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { size: number; md5: string };
    expect(created).toMatchObject({ size: bytes.length, md5: createHash('md5').update(bytes).digest('hex') });
  });

  it('answers a connection past its cap with 503 when every connection is in a request', async () => {
    const server = await startServer({ port: 0, platform: h.platform, maxConnections: 1 });
    const { hostname, port } = new URL(server.url);
    // In a request: its headers came, its body has not.
    const holder = connect(Number(port), hostname);
    holder.write(
      `POST /__mock/clock/advance HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      const answer = await rawExchange(server.url, `GET /api/v1/products HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 503 /);
      expect(answer).toContain('urn:onenet-ota:problem:busy');
    } finally {
      holder.destroy();
      await server.close();
    }
  });

  it('makes room past its cap by closing the oldest idle connection of the peer holding the most', async () => {
    const server = await startServer({ port: 0, platform: h.platform, maxConnections: 4 });
    const { hostname, port } = new URL(server.url);
    const opened = (localAddress: string) =>
      new Promise<Socket>((resolve) => {
        const socket = connect({ port: Number(port), host: hostname, localAddress });
        socket.on('error', () => {});
        socket.once('connect', () => resolve(socket));
      });
    const closed = (socket: Socket) => new Promise((resolve) => socket.once('close', resolve));
    try {
      // Another peer (127.0.0.2) holds three idle connections, the device's own peer one.
      const idle = [await opened('127.0.0.2'), await opened('127.0.0.2'), await opened('127.0.0.2')];
      const own = await opened('127.0.0.1');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const firstClosed = closed(idle[0] as Socket);
      const answer = await rawExchange(
        server.url,
        `GET /api/v1/products HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      await firstClosed;
      expect([idle[1]?.destroyed, idle[2]?.destroyed, own.destroyed]).toEqual([false, false, false]);
      for (const socket of [...idle, own]) socket.destroy();
    } finally {
      await server.close();
    }
  });

  it('answers 408 and closes a connection that sends no complete head in time, and keeps an idle kept-alive one', async () => {
    const server = await startServer({ port: 0, platform: h.platform, headersTimeoutMs: 1000 });
    const { hostname, port } = new URL(server.url);
    const watch = (socket: Socket) =>
      new Promise<{ answer: string; ms: number }>((resolve) => {
        const started = performance.now();
        let answer = '';
        socket.on('data', (data) => {
          answer += data.toString('latin1');
        });
        socket.once('close', () => resolve({ answer, ms: performance.now() - started }));
      });
    try {
      const silent = connect(Number(port), hostname);
      const slow = connect(Number(port), hostname);
      // A header line every 200 ms: never done.
      let lines = 0;
      const drip = setInterval(
        () => slow.write(lines++ === 0 ? 'GET /api/v1/products HTTP/1.1\r\n' : 'X-A: b\r\n'),
        200,
      );
      const kept = connect(Number(port), hostname);
      let keptAnswer = '';
      kept.on('data', (data) => {
        keptAnswer += data.toString('latin1');
      });
      kept.write(`GET /__mock/clock HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
      const [quiet, dripping] = await Promise.all([watch(silent), watch(slow)]);
      clearInterval(drip);
      for (const { answer, ms } of [quiet, dripping]) {
        expect(answer).toMatch(/^HTTP\/1\.1 408 /);
        expect(ms).toBeLessThan(5000);
      }
      // Served, then idle past the header timeout: the keep-alive timeout is what applies between requests.
      expect(keptAnswer).toMatch(/^HTTP\/1\.1 200 /);
      expect(kept.destroyed).toBe(false);
      kept.destroy();
    } finally {
      await server.close();
    }
  });
});
