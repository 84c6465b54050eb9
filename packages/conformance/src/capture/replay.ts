import { createPlatform, type JournalEntry, type Platform, RecordedSession } from '@onenet-ota/mock-server';
import {
  createManagementClient,
  deviceResource,
  productResource,
  readToken,
  signToken,
  userResource,
} from '@onenet-ota/sdk';
import { canonical } from '../evidence.ts';
import type { Evidence } from '../types.ts';
import { CaptureError } from './capture-error.ts';
import { namedDevice } from './one-device.ts';

const base = 'http://drift.invalid';

/** The mock's answer to one recorded call, journaled as the recording journals the upstream's. */
export interface Replayed {
  recorded: JournalEntry;
  mock: JournalEntry;
}

/**
 * Replays a recorded session's device calls, in order and each at its recorded time, against a fresh mock seeded
 * to what the recording shows (the product, the device, a package of the size and target the task answer gave,
 * a running task with its strategy). What differs between the two worlds is mapped: the mock's ids, its tokens
 * and `tid`s for the recorded ones, and `Authorization` signed again with the mock's key for the same `res`
 * level, `et`, `method` and version (a token the upstream refused is sent as it was, to be refused again).
 */
export async function replay(evidence: Evidence): Promise<Replayed[]> {
  const calls = evidence.journal;
  const first = calls[0];
  if (!first) throw new CaptureError('the capture holds no device call to replay');
  const platform = createPlatform({ clock: 'virtual', startAt: Date.parse(first.time) });
  const admin = createManagementClient({ baseUrl: base, fetch: (request) => platform.fetch(request) });
  const world = await seed(platform, admin, evidence);
  const answers = new RecordedSession('mock');
  const replayed: Replayed[] = [];
  for (const recorded of calls) {
    platform.clock.set(Math.max(platform.clock.now(), Date.parse(recorded.time)));
    const request = await world.request(recorded);
    const response = await platform.fetch(request);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const mock = answers.entry({
      method: request.method,
      url: new URL(request.url),
      requestHeaders: [...request.headers].flat(),
      status: response.status,
      responseHeaders: [...response.headers].flat(),
      responseBody: bytes,
      bytesSent: bytes.length,
      time: recorded.time,
      durationMs: 0,
    });
    world.learn(recorded, mock);
    replayed.push({ recorded, mock: { seq: recorded.seq, ...mock } });
  }
  return replayed;
}

type Admin = ReturnType<typeof createManagementClient>;

/** The mock seeded as the recording shows, and how recorded calls become calls to it. */
async function seed(platform: Platform, admin: Admin, evidence: Evidence) {
  const { profile, file, strategy, journal } = evidence;
  const named = journal.map((e) => namedDevice(e.request.path)).find((n) => n !== undefined);
  const recordedPid = named?.productId;
  const recordedName = named?.deviceName;
  const recordedDevId = journal.map((e) => e.request.query.dev_id).find((d) => d !== undefined);
  const product = await admin.POST('/api/v1/products', {
    body: { name: 'recorded', manuf: profile.manuf || '100', model: profile.model || '10001' },
  });
  const device = await admin.POST('/api/v1/products/{productId}/devices', {
    params: { path: { productId: product.data?.id ?? '' } },
    body: { name: recordedName ?? 'recorded-device' },
  });
  if (!product.data || !device.data)
    throw new Error(`drift could not seed the mock: ${JSON.stringify(product.error ?? device.error)}`);
  const mockPid = product.data.id;
  const mockName = device.data.name;
  const mockDevId = device.data.devId;
  const keys = { product: product.data.accessKey ?? '', device: device.data.accessKey ?? '' };
  const account = (await admin.GET('/api/v1/account', { params: { query: { include: 'keys' } } })).data;
  if (file.size > 0 && file.target) {
    const upload = await platform.fetch(
      new Request(
        `${base}/api/v1/products/${mockPid}/packages?name=recorded&module=${profile.type === 1 ? 'fota' : 'sota'}&targetVersion=${encodeURIComponent(file.target)}&fileName=recorded.bin`,
        { method: 'POST', body: new Uint8Array(file.size), headers: { 'Content-Type': 'application/octet-stream' } },
      ),
    );
    const pkg = (await upload.json()) as { id?: string };
    const task = await admin.POST('/api/v1/products/{productId}/tasks', {
      params: { path: { productId: mockPid } },
      body: { name: 'recorded', packageId: pkg.id ?? '', targets: { devIds: [mockDevId] }, strategy },
    });
    await admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId: mockPid, taskId: task.data?.id ?? '', action: 'start' } },
    });
  }
  const tokens = new Map<string, string>();
  const tids = new Map<string, string>();
  const swap = (value: string) => tokens.get(value) ?? tids.get(value) ?? value;
  return {
    async request(recorded: JournalEntry): Promise<Request> {
      const path = recorded.request.path
        .split('/')
        .map((segment, i) => {
          if (i === 2 && segment === recordedPid) return mockPid;
          if (i === 3 && recordedName !== undefined && decodeURIComponent(segment) === recordedName) return mockName;
          return swap(segment);
        })
        .join('/');
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(recorded.request.query))
        query.set(name, name === 'dev_id' && value === recordedDevId ? String(mockDevId) : swap(value));
      const headers = new Headers();
      for (const [name, value] of Object.entries(recorded.request.headers))
        if (!['host', 'content-length', 'authorization', 'transfer-encoding'].includes(name)) headers.set(name, value);
      const authorization = recorded.request.headers.authorization;
      if (authorization !== undefined)
        headers.set('authorization', recorded.auth === 'refused' ? authorization : await resign(authorization));
      const body = recorded.request.body;
      const text = body?.json !== undefined ? JSON.stringify(body.json) : body?.text;
      return new Request(`${base}${path}${query.size > 0 ? `?${query}` : ''}`, {
        method: recorded.request.method,
        headers,
        ...(text !== undefined && !['GET', 'HEAD'].includes(recorded.request.method) ? { body: text } : {}),
      });
    },
    /** What an answer handed out: the mock's token and `tid` stand for the recorded ones from then on. */
    learn(recorded: JournalEntry, mock: Omit<JournalEntry, 'seq'>) {
      if (canonical(recorded.operation) !== 'checkTask') return;
      const was = (recorded.response.body?.json as { data?: { token?: string; tid?: number } } | undefined)?.data;
      const now = (mock.response.body?.json as { data?: { token?: string; tid?: number } } | undefined)?.data;
      if (was?.token && now?.token) tokens.set(was.token, now.token);
      if (was?.tid !== undefined && now?.tid !== undefined) tids.set(String(was.tid), String(now.tid));
    },
  };

  /** The recorded token's terms, signed with the mock's key for the same level. */
  async function resign(header: string): Promise<string> {
    const token = readToken(header);
    if (typeof token === 'string') return header;
    const res = token.res.startsWith('userid/')
      ? userResource(String(account?.uid ?? 1))
      : token.res.includes('/devices/')
        ? deviceResource(mockPid, mockName)
        : productResource(mockPid);
    const key = res.startsWith('userid/')
      ? (account?.accessKey ?? '')
      : res.includes('/devices/')
        ? keys.device
        : keys.product;
    return signToken({ accessKey: key, res, et: token.et, version: token.version, method: token.method });
  }
}
