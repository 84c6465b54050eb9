import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { checkDemoToken, checkQuery, type Harness, startHarness, step } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ seed: 'none' });
});
afterEach(() => h.close());

const productId = '100001';
const path = { productId };

async function setup() {
  const product = await h.admin.POST('/api/v1/products', { body: { name: 'Meter', manuf: '101', model: '10101' } });
  expect(product.response.status).toBe(201);
  expect(product.response.headers.get('location')).toBe(`/api/v1/products/${productId}`);
  const devices = [];
  for (const name of ['d1', 'd2', 'd3']) {
    const { data } = await h.admin.POST('/api/v1/products/{productId}/devices', {
      params: { path },
      body: { name, sVersion: 'V1.0' },
    });
    devices.push(data?.devId ?? 0);
  }
  const upload = await h.fetch(
    new Request(
      `${h.url}/api/v1/products/${productId}/packages?name=app-1.1&module=sota&targetVersion=V1.1&fileName=app.bin`,
      {
        method: 'POST',
        body: new Uint8Array(10_000).fill(7),
        headers: { 'Content-Type': 'application/octet-stream' },
      },
    ),
  );
  expect(upload.status).toBe(201);
  const pkg = (await upload.json()) as { id: string; md5: string; size: number };
  return { product: product.data, devices, pkg };
}

const createTask = (body: Record<string, unknown>) =>
  h.admin.POST('/api/v1/products/{productId}/tasks', { params: { path }, body: body as never });
const control = (taskId: string, action: 'start' | 'pause' | 'resume' | 'cancel') =>
  h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId, taskId, action } },
  });

describe('products, devices, groups, packages', () => {
  it('creates and lists them, with md5 and size computed from the upload', async () => {
    const { devices, pkg } = await setup();
    expect(pkg).toMatchObject({ size: 10_000, md5: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const group = await h.admin.POST('/api/v1/products/{productId}/groups', {
      params: { path },
      body: { name: 'pilot', devIds: devices.slice(0, 2) },
    });
    expect(group.data?.devIds).toEqual(devices.slice(0, 2));
    const listed = await h.admin.GET('/api/v1/products/{productId}/devices', {
      params: { path, query: { groupId: group.data?.id ?? '' } },
    });
    expect(listed.data?.items.map((d) => d.devId)).toEqual(devices.slice(0, 2));
    expect(listed.data?.items[0]?.groupIds).toEqual([group.data?.id]);
    const paged = await h.admin.GET('/api/v1/products/{productId}/devices', {
      params: { path, query: { limit: 1, offset: 1 } },
    });
    expect(paged.data).toMatchObject({ total: 3, limit: 1, offset: 1, items: [{ devId: devices[1] }] });
    const content = await h.admin.GET('/api/v1/products/{productId}/packages/{packageId}/content', {
      params: { path: { productId, packageId: pkg.id } },
      parseAs: 'arrayBuffer',
    });
    expect(content.data?.byteLength).toBe(10_000);
  });

  it('answers bad input with RFC 9457 problem details that point at each field', async () => {
    const { error, response } = await h.admin.POST('/api/v1/products', {
      body: { name: '', manuf: '1', model: '10101' } as never,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(error).toMatchObject({ type: 'urn:onenet-ota:problem:invalid-request', status: 400 });
    expect((error as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort()).toEqual([
      '#/body/manuf',
      '#/body/name',
    ]);
    const missing = await h.admin.GET('/api/v1/products/{productId}', { params: { path: { productId: '42' } } });
    expect(missing.response.status).toBe(404);
    const notJson = await h.fetch(
      new Request(`${h.url}/api/v1/products`, {
        method: 'POST',
        body: '{',
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ errors: [{ pointer: '#/body', message: 'is not valid JSON' }] });
  });

  it('refuses duplicate names (409), a non-binary upload (415), an oversized upload (413)', async () => {
    await setup();
    const dupe = await h.admin.POST('/api/v1/products/{productId}/devices', { params: { path }, body: { name: 'd1' } });
    expect(dupe.response.status).toBe(409);
    const asJson = await h.fetch(
      new Request(`${h.url}/api/v1/products/${productId}/packages?name=x&module=sota&targetVersion=V2&fileName=x.bin`, {
        method: 'POST',
        body: '{}',
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    expect(asJson.status).toBe(415);
    const small = await startHarness({ seed: 'demo', maxUploadBytes: 100 });
    const big = await small.fetch(
      new Request(
        `${small.url}/api/v1/products/${demo.productId}/packages?name=x&module=sota&targetVersion=V2&fileName=x.bin`,
        {
          method: 'POST',
          body: new Uint8Array(101),
          headers: { 'Content-Type': 'application/octet-stream' },
        },
      ),
    );
    expect(big.status).toBe(413);
    await small.close();
  });
});

describe('tasks', () => {
  it('edits only while not started and deletes only when not started, stopped or completed', async () => {
    const { devices, pkg } = await setup();
    const { data: task } = await createTask({ name: 't1', packageId: pkg.id, targets: { devIds: devices } });
    const taskId = task?.id ?? '';
    expect(task).toMatchObject({ state: 'not_started', deviceCount: 3, module: 'sota', targetVersion: 'V1.1' });
    expect(task?.strategy).toEqual({ signal: 0, power: 0, retry: { mode: 'none' }, start: { mode: 'manual' } });
    const edited = await h.admin.PATCH('/api/v1/products/{productId}/tasks/{taskId}', {
      params: { path: { productId, taskId } },
      body: { name: 't1b' },
    });
    expect(edited.data?.name).toBe('t1b');
    await control(taskId, 'start');
    const refused = await h.admin.PATCH('/api/v1/products/{productId}/tasks/{taskId}', {
      params: { path: { productId, taskId } },
      body: { name: 't1c' },
    });
    expect(refused.response.status).toBe(409);
    expect(refused.error).toMatchObject({ type: 'urn:onenet-ota:problem:invalid-state', state: 'running' });
    expect(
      (await h.admin.DELETE('/api/v1/products/{productId}/tasks/{taskId}', { params: { path: { productId, taskId } } }))
        .response.status,
    ).toBe(409);
    expect((await control(taskId, 'start')).response.status).toBe(409);
    await control(taskId, 'cancel');
    expect(
      (await h.admin.GET('/api/v1/products/{productId}/tasks/{taskId}', { params: { path: { productId, taskId } } }))
        .data?.state,
    ).toBe('stopped');
    expect(
      (await h.admin.DELETE('/api/v1/products/{productId}/tasks/{taskId}', { params: { path: { productId, taskId } } }))
        .response.status,
    ).toBe(204);
  });

  it('starts a scheduled task on the platform clock and fails unfinished devices with 208 at the deadline', async () => {
    const { devices, pkg } = await setup();
    const now = h.platform.clock.now();
    const { data: task } = await createTask({
      name: 'scheduled',
      packageId: pkg.id,
      targets: { devIds: devices },
      strategy: {
        start: { mode: 'scheduled', at: new Date(now + 3600_000).toISOString() },
        deadline: new Date(now + 7200_000).toISOString(),
      },
    });
    const taskId = task?.id ?? '';
    await h.admin.POST('/__mock/clock/advance', { body: { ms: 3600_000 } });
    expect(
      (await h.admin.GET('/api/v1/products/{productId}/tasks/{taskId}', { params: { path: { productId, taskId } } }))
        .data?.state,
    ).toBe('running');
    await h.admin.POST('/__mock/clock/advance', { body: { ms: 3600_000 } });
    const statuses = await h.admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices', {
      params: { path: { productId, taskId } },
    });
    expect(statuses.data?.items.map((s) => [s.state, s.lastCode])).toEqual(devices.map(() => ['failed', 208]));
    expect(
      (await h.admin.GET('/api/v1/products/{productId}/tasks/{taskId}', { params: { path: { productId, taskId } } }))
        .data?.state,
    ).toBe('completed');
  });

  it('fails a device that is already in another running task, and keeps statistics that add up', async () => {
    const { devices, pkg } = await setup();
    const first =
      (await createTask({ name: 'a', packageId: pkg.id, targets: { devIds: [devices[0]] } })).data?.id ?? '';
    const second = (await createTask({ name: 'b', packageId: pkg.id, targets: { devIds: devices } })).data?.id ?? '';
    await control(first, 'start');
    await control(second, 'start');
    const stats = await h.admin.GET('/api/v1/products/{productId}/tasks/{taskId}/stats', {
      params: { path: { productId, taskId: second } },
    });
    expect(stats.data).toEqual({
      total: 3,
      byState: { pending: 2, downloading: 0, upgrading: 0, succeeded: 0, failed: 1, canceled: 0, paused: 0 },
      successRate: 0,
    });
  });

  it('tracks per-device progress, last code and retries', async () => {
    const h2 = await startHarness();
    const token =
      (await h2.device.GET('/ota/south/check', { params: { query: checkQuery() } })).data?.data?.token ?? '';
    await checkDemoToken(h2, token);
    await h2
      .fetch(new Request(`${h2.url}/ota/south/download/${token}`, { headers: { Range: 'bytes=0-99' } }))
      .then((r) => r.arrayBuffer());
    await h2
      .fetch(new Request(`${h2.url}/ota/south/download/${token}`, { headers: { Range: 'bytes=0-99' } }))
      .then((r) => r.arrayBuffer());
    await step(h2, token, 40);
    const { data } = await h2.admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices/{devId}', {
      params: { path: { productId: demo.productId, taskId: 'tsk_1', devId: demo.devId } },
    });
    expect(data).toMatchObject({
      state: 'downloading',
      lastCode: 40,
      progress: 40,
      retriesUsed: 1,
      fromVersion: 'V1.0',
      targetVersion: 'V2.0',
      token,
    });
    await h2.close();
  });

  it('refuses references to packages, diffs, devices and groups that do not exist', async () => {
    const { pkg } = await setup();
    const bad = await createTask({ name: 'x', packageId: pkg.id, diffId: 'dif_9', targets: { devIds: [1] } });
    expect(bad.response.status).toBe(400);
    expect(bad.error).toMatchObject({ errors: [{ pointer: '#/body/diffId' }] });
  });
});

describe('differential packages', () => {
  it('stores an uploaded patch and hands its size, md5 and type 2 to a device on the initial version', async () => {
    const h2 = await startHarness();
    const patch = new Uint8Array(300).fill(3);
    const upload = await h2.fetch(
      new Request(
        `${h2.url}/api/v1/products/${demo.productId}/packages/pkg_1/diffs?initialVersion=V1.0&fileName=p.vcdiff&format=vcdiff`,
        {
          method: 'POST',
          body: patch,
          headers: { 'Content-Type': 'application/octet-stream' },
        },
      ),
    );
    expect(upload.status).toBe(201);
    const diff = (await upload.json()) as { id: string; md5: string };
    const task = await h2.admin.POST('/api/v1/products/{productId}/tasks', {
      params: { path: { productId: demo.productId } },
      body: { name: 'delta', packageId: 'pkg_1', diffId: diff.id, targets: { devIds: [demo.devId] } },
    });
    // The demo task holds the device; end it so the delta task can start.
    await h2.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId: demo.productId, taskId: 'tsk_1', action: 'cancel' } },
    });
    await h2.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId: demo.productId, taskId: task.data?.id ?? '', action: 'start' } },
    });
    const check = await h2.device.GET('/ota/south/check', { params: { query: checkQuery() } });
    expect(check.data?.data).toMatchObject({ size: 300, md5: diff.md5, type: 2 });
    const wrongBase = await h2.device.GET('/ota/south/check', { params: { query: checkQuery({ version: 'V0.9' }) } });
    expect(wrongBase.data?.errno).toBe(9);
    await h2.close();
  });
});
