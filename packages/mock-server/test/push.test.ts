import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OtaAgent } from '@onenet-ota/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { specValidator } from '../src/core/http/spec.ts';
import { demo } from '../src/index.ts';
import { demoModule, type Harness, startHarness } from './harness.ts';

// The legacy task push (§2.13) to a real receiver on 127.0.0.1 that checks signatures as OneNET's demo receiver does.
const token = 'receiver-token-1';
const uid = 7;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

interface Receiver {
  url: string;
  got: { signatureOk: boolean; msg: { type: number; dids: number[]; version?: string; startTime?: number } }[];
  verifications: string[];
  /** What the receiver does next: answer normally, refuse verification, or fail the next N posts with 500. */
  mode: { verify: 'PASSED' | 'FAILED'; failPosts: number };
  server: Server;
}

let h: Harness;
let receiver: Receiver;
beforeEach(async () => {
  h = await startHarness({ seed: 'demo', clock: 'real', pushRetryDelaysMs: [20, 20] });
  const got: Receiver['got'] = [];
  const verifications: string[] = [];
  const mode: Receiver['mode'] = { verify: 'PASSED', failPosts: 0 };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    if (req.method === 'GET') {
      const signature = url.searchParams.get('signature') ?? '';
      verifications.push(signature);
      res.end(signature === md5(token + uid) ? mode.verify : 'FAILED');
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      if (mode.failPosts > 0) {
        mode.failPosts--;
        res.statusCode = 500;
        res.end('busy');
        return;
      }
      const parsed = JSON.parse(body) as { signature: string; nonce: string; msg: Receiver['got'][number]['msg'] };
      const validate = specValidator().schema('OtaPushMessage');
      expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
      // Verified against the raw text of `msg`, as sent.
      const rawMsg = body.slice(body.indexOf('"msg":') + 6, -1);
      got.push({ signatureOk: parsed.signature === md5(token + parsed.nonce + rawMsg), msg: parsed.msg });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ota/receive`,
    got,
    verifications,
    mode,
    server,
  };
});
afterEach(async () => {
  await h.close();
  await new Promise((resolve) => receiver.server.close(resolve));
});

const setPush = (push: { url: string; token: string; uid?: number } | null) =>
  h.admin.PATCH('/api/v1/products/{productId}', { params: { path: { productId: demo.productId } }, body: { push } });

async function newRunningTask() {
  const cancel = await h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: 'tsk_1', action: 'cancel' } },
  });
  expect(cancel.response.status).toBe(200);
  const packages = await h.admin.GET('/api/v1/products/{productId}/packages', {
    params: { path: { productId: demo.productId } },
  });
  const task = await h.admin.POST('/api/v1/products/{productId}/tasks', {
    params: { path: { productId: demo.productId } },
    body: { name: 'pushed', packageId: packages.data?.items[0]?.id ?? '', targets: { devIds: [demo.devId] } },
  });
  await h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: task.data?.id ?? '', action: 'start' } },
  });
}

async function until(check: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the legacy task push (§2.13)', () => {
  it('verifies the receiver when it is set, and refuses one that does not answer PASSED', async () => {
    receiver.mode.verify = 'FAILED';
    const refused = await setPush({ url: receiver.url, token, uid });
    expect(refused.response.status).toBe(400);
    expect((refused.error as { detail?: string }).detail).toBe(
      `the push receiver ${receiver.url} did not verify: it answered "FAILED", not PASSED`,
    );
    receiver.mode.verify = 'PASSED';
    const set = await setPush({ url: receiver.url, token, uid });
    expect(set.data?.push).toEqual({ url: receiver.url, uid });
    expect(receiver.verifications).toEqual([md5(token + uid), md5(token + uid)]);
    const verifies = h.platform.journal.query({ operation: 'otaPushVerify' }).entries;
    expect(verifies.map((e) => [e.transport, e.response.status, e.note])).toEqual([
      ['push', 200, 'it answered "FAILED", not PASSED'],
      ['push', 200, undefined],
    ]);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await setPush({ url: `http://127.0.0.1:${closedPort}/ota/receive`, token });
    expect((unreachable.error as { detail?: string }).detail).toMatch(
      /did not verify: no answer: fetch failed \(ECONNREFUSED\)$/,
    );
    expect((await setPush(null)).data?.push).toBeUndefined();
  });

  it('pushes types 1-4 in order, signed, as a device upgrades', async () => {
    await setPush({ url: receiver.url, token, uid });
    await newRunningTask();
    const result = await new OtaAgent({
      client: h.device,
      ...demoModule,
      install: async (chunks) => {
        for await (const _ of chunks);
      },
    }).run();
    expect(result.outcome).toBe('upgraded');
    await until(() => receiver.got.length >= 4);
    expect(receiver.got.map((g) => g.signatureOk)).toEqual([true, true, true, true]);
    expect(receiver.got.map(({ msg }) => [msg.type, msg.dids, msg.version])).toEqual([
      [1, [demo.devId], demo.targetVersion],
      [2, [demo.devId], undefined],
      [3, [demo.devId], undefined],
      [4, [demo.devId], demo.targetVersion],
    ]);
    expect(receiver.got[0]?.msg).toMatchObject({ uid, pid: Number(demo.productId), startTime: expect.any(Number) });
  });

  it('tries a failed delivery again, journaling every attempt', async () => {
    await setPush({ url: receiver.url, token, uid });
    receiver.mode.failPosts = 2;
    await newRunningTask();
    await until(() => receiver.got.length === 1);
    // The receiver has the message before the platform has read its answer: wait for the journal to say so.
    const pushes = () => h.platform.journal.query({ operation: 'otaPushTask' }).entries;
    await until(() => pushes().length === 3 && pushes()[2]?.response.status !== 0);
    const attempts = pushes();
    expect(attempts.map((e) => [e.response.status, e.note])).toEqual([
      [500, 'the receiver answered 500; tried again in 0.02 s'],
      [500, 'the receiver answered 500; tried again in 0.02 s'],
      [200, undefined],
    ]);
    const validate = specValidator().schema('JournalEntry');
    for (const entry of attempts) expect(validate(entry), JSON.stringify(validate.errors)).toBe(true);
  });
});
