import { createDeviceClient, FuseCode, OtaErrnoCode, StudioCode, signToken, TidTaskStatus } from '@onenet-ota/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { checkQuery, demoState, type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const named = { pro_id: demo.productId, dev_name: demo.deviceName };

function fuseDevice(overrides: { version?: string; accessKey?: string } = {}) {
  return createDeviceClient({
    generation: 'fuse',
    baseUrl: h.url,
    productId: demo.productId,
    deviceName: demo.deviceName,
    accessKey: overrides.accessKey ?? demo.deviceKey,
    now: h.platform.clock.now,
    fetch: h.fetch,
    ...(overrides.version ? { version: overrides.version } : {}),
  });
}

function studioDevice() {
  return createDeviceClient({
    generation: 'studio',
    baseUrl: h.url,
    productId: demo.productId,
    deviceName: demo.deviceName,
    accessKey: demo.deviceKey,
    now: h.platform.clock.now,
    fetch: h.fetch,
  });
}

describe('the new platform (/fuse-ota)', () => {
  it('answers the captured check shape, with tid and status, and a request_id', async () => {
    const { data, response } = await fuseDevice().GET('/fuse-ota/{pro_id}/{dev_name}/check', {
      params: { path: named, query: { type: 2, version: 'V1.0' } },
    });
    expect(response.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(data).toMatchObject({
      code: FuseCode.Success,
      msg: 'succ',
      data: { target: 'V2.0', tid: 1, size: demo.packageSize, status: TidTaskStatus.Waiting, type: 1 },
    });
    expect(data?.request_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers 12012 "not exist" when the module has no task', async () => {
    const { data } = await fuseDevice().GET('/fuse-ota/{pro_id}/{dev_name}/check', {
      params: { path: named, query: { type: 1, version: 'M1' } },
    });
    expect(data).toMatchObject({ code: FuseCode.NotExist, msg: 'not exist' });
  });

  it('runs the tid flow: download moves the device, Ota-Errno 0 on bytes, 100 ends the download, 101 after it is refused', async () => {
    const fuse = fuseDevice();
    const tidPath = { ...named, tid: 1 };
    const fragment = await fuse.GET('/fuse-ota/{pro_id}/{dev_name}/{tid}/download', {
      params: { path: tidPath, header: { Range: 'bytes=0-1023' } },
      parseAs: 'arrayBuffer',
    });
    expect(fragment.response.status).toBe(206);
    expect(fragment.response.headers.get('ota-errno')).toBe('0');
    expect(fragment.response.headers.get('content-range')).toBe(`bytes 0-1023/${demo.packageSize}`);
    // The captured type, parameter and all; the journal still knows it for package bytes (no JSON kept).
    expect(fragment.response.headers.get('content-type')).toBe('application/octet-stream;charset=UTF-8');
    const served = h.platform.journal.query({ operation: 'fuseDownloadPackage' }).entries.at(-1);
    expect(served?.response.body).toEqual({ size: 1024, contentType: 'application/octet-stream' });
    expect(demoState(h)).toBe('downloading');
    // A range from the end is 416 here (FUSE-C2), where the legacy rules would start it at 0.
    for (const range of [`bytes=${demo.packageSize}-`, `bytes=${demo.packageSize}-${demo.packageSize + 99}`]) {
      const past = await fuse.GET('/fuse-ota/{pro_id}/{dev_name}/{tid}/download', {
        params: { path: tidPath, header: { Range: range } },
        parseAs: 'text',
      });
      expect([range, past.response.status, past.response.headers.get('content-range')]).toEqual([
        range,
        416,
        `bytes */${demo.packageSize}`,
      ]);
    }
    const status = await fuse.GET('/fuse-ota/{pro_id}/{dev_name}/{tid}/check', { params: { path: tidPath } });
    expect(status.data?.data?.status).toBe(TidTaskStatus.Downloading);
    const report = (step: number) =>
      fuse.POST('/fuse-ota/{pro_id}/{dev_name}/{tid}/status', { params: { path: tidPath }, body: { step: step as 0 } });
    expect((await report(100)).data?.code).toBe(FuseCode.Success);
    expect(demoState(h)).toBe('upgrading');
    expect((await report(101)).data?.code).toBe(FuseCode.InvalidOperation);
    expect((await report(201)).data?.code).toBe(FuseCode.Success);
    expect((await report(201)).data).toMatchObject({ code: FuseCode.TaskFinished, msg: 'task finish' });
  });

  it('refuses 208, which the new platform does not have', async () => {
    const { data } = await fuseDevice().POST('/fuse-ota/{pro_id}/{dev_name}/{tid}/status', {
      params: { path: { ...named, tid: 1 } },
      body: { step: 208 },
    });
    expect(data?.code).toBe(FuseCode.BadRequest);
    expect(demoState(h)).toBe('pending');
  });

  it('tells a refused download by Ota-Errno with HTTP 200: 6 auth, 2 unknown task, 5 canceled', async () => {
    const wrongKey = fuseDevice({ accessKey: demo.productKey });
    const get = (client: ReturnType<typeof fuseDevice>, tid: number) =>
      client.GET('/fuse-ota/{pro_id}/{dev_name}/{tid}/download', {
        params: { path: { ...named, tid } },
        parseAs: 'text',
      });
    const auth = await get(wrongKey, 1);
    expect([auth.response.status, auth.response.headers.get('ota-errno')]).toEqual([
      200,
      String(OtaErrnoCode.AuthFailed),
    ]);
    expect(JSON.parse(auth.data ?? '{}')).toMatchObject({ code: FuseCode.AuthFailed });
    const unknown = await get(fuseDevice(), 99);
    expect(unknown.response.headers.get('ota-errno')).toBe(String(OtaErrnoCode.FileNotFound));
    await h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId: demo.productId, taskId: 'tsk_1', action: 'cancel' } },
    });
    const canceled = await get(fuseDevice(), 1);
    expect(canceled.response.headers.get('ota-errno')).toBe(String(OtaErrnoCode.TaskUnavailable));
    expect(JSON.parse(canceled.data ?? '{}')).toMatchObject({ code: FuseCode.TaskCanceled });
  });

  it('accepts 2022-05-01 and 2018-10-31 device tokens, and refuses what the field refuses, saying so', async () => {
    for (const version of ['2022-05-01', '2018-10-31']) {
      const { data } = await fuseDevice({ version }).GET('/fuse-ota/{pro_id}/{dev_name}/version', {
        params: { path: named },
      });
      expect(data?.code, version).toBe(FuseCode.Success);
    }
    const now = Math.floor(h.platform.clock.now() / 1000);
    const device = `products/${demo.productId}/devices/${demo.deviceName}`;
    const product = `products/${demo.productId}`;
    const cases = [
      ['2022-05-01', device, now + 11 * 366 * 86_400, /too long/],
      ['2018-10-31', device, 2524579200, /too long.*known to refuse.*#70164810108.*--token-rules lenient takes it/],
      ['2022-05-01', product, now + 3600, /product-level token.*实测产品级会被拒.*--token-rules lenient takes it/],
    ] as const;
    const ask = async (harness: Harness, version: string, res: string, et: number) => {
      const key = res === product ? demo.productKey : demo.deviceKey;
      const authorization = await signToken({ accessKey: key, res, et, version });
      const response = await harness.fetch(
        new Request(`${harness.url}/fuse-ota/${demo.productId}/${demo.deviceName}/version`, {
          headers: { Authorization: authorization },
        }),
      );
      const entry = harness.platform.journal.query().entries.at(-1);
      return { code: ((await response.json()) as { code: number }).code, entry };
    };
    for (const [version, res, et, why] of cases) {
      const { code, entry } = await ask(h, version, res, et);
      expect([version, res, code]).toEqual([version, res, FuseCode.AuthFailed]);
      expect(entry?.note).toMatch(why);
    }
    // --token-rules lenient takes what some clients send, and journals what the field is known to refuse of it.
    const lenient = await startHarness({ seed: 'demo', tokenRules: 'lenient' });
    try {
      const taken = [];
      for (const [version, res, et] of cases) taken.push(await ask(lenient, version, res, et));
      expect(taken.map((t) => t.code)).toEqual([FuseCode.AuthFailed, FuseCode.Success, FuseCode.Success]);
      expect(taken[1]?.entry?.tolerated).toEqual([
        { pointer: '#/header/authorization', message: expect.stringMatching(/too long.*#70164810108/) },
      ]);
      expect(taken[2]?.entry?.tolerated?.[0]?.message).toMatch(/product-level token.*实测产品级会被拒/);
    } finally {
      await lenient.close();
    }
  });

  it('keeps legacy strict: a 2022-05-01 token is refused on /ota/south', async () => {
    const legacy = createDeviceClient({
      baseUrl: h.url,
      productId: demo.productId,
      accessKey: demo.productKey,
      version: '2022-05-01',
      now: h.platform.clock.now,
      fetch: h.fetch,
    });
    const { data } = await legacy.GET('/ota/south/check', { params: { query: checkQuery() } });
    expect(data?.errno).toBe(1);
  });

  it('takes user-level tokens (res=userid/{uid}, the account key) on the new platform only', async () => {
    const account = await h.admin.GET('/api/v1/account', { params: { query: { include: 'keys' } } });
    const { uid, accessKey = '' } = account.data ?? { uid: 0 };
    expect((await h.admin.GET('/api/v1/account')).data).toEqual({ uid });
    const asUser = (userId: number, key = accessKey) =>
      createDeviceClient({
        generation: 'fuse',
        baseUrl: h.url,
        productId: demo.productId,
        deviceName: demo.deviceName,
        userId,
        accessKey: key,
        now: h.platform.clock.now,
        fetch: h.fetch,
      }).GET('/fuse-ota/{pro_id}/{dev_name}/check', { params: { path: named, query: { type: 2, version: 'V1.0' } } });
    expect((await asUser(uid)).data?.code).toBe(FuseCode.Success);
    const last = () => h.platform.journal.query({ operation: 'fuseCheckTask' }).entries.at(-1);
    expect(last()?.request.headers.authorization).toMatch(/^version=2022-05-01&res=userid%2F\d+&/);
    expect((await asUser(uid + 1)).data?.code).toBe(FuseCode.AuthFailed);
    expect(last()?.note).toBe(`no user for res "userid/${uid + 1}"`);
    expect((await asUser(uid, demo.deviceKey)).data?.code).toBe(FuseCode.AuthFailed);
    // Legacy and Studio take no user-level token: the SDK says so, and the platform refuses one sent anyway.
    expect(() =>
      createDeviceClient({ generation: 'studio', baseUrl: h.url, productId: demo.productId, accessKey, userId: uid }),
    ).toThrow('userId: studio takes no user-level tokens');
    const header = await signToken({
      accessKey,
      res: `userid/${uid}`,
      et: Math.floor(h.platform.clock.now() / 1000) + 60,
    });
    const refused = await h.fetch(
      new Request(`${h.url}/ota/${demo.productId}/${demo.deviceName}/check?type=2&version=V1.0`, {
        headers: { Authorization: header },
      }),
    );
    expect((await refused.json()).errno).toBe(StudioCode.AuthFailed);
  });

  it('serves only the generations a product accepts', async () => {
    await h.admin.PATCH('/api/v1/products/{productId}', {
      params: { path: { productId: demo.productId } },
      body: { generations: ['legacy'] },
    });
    const { data } = await fuseDevice().GET('/fuse-ota/{pro_id}/{dev_name}/check', {
      params: { path: named, query: { type: 2, version: 'V1.0' } },
    });
    expect(data?.code).toBe(FuseCode.AuthFailed);
    expect(h.platform.journal.query({ limit: 100 }).entries.at(-1)?.note).toMatch(/does not accept fuse/);
  });
});

describe('OneNET Studio (/ota/{pro_id}/{dev_name})', () => {
  it('answers the errno envelope with tid, serves Content-Range-Start/End and Ota-Errno, and forgives /download/', async () => {
    const studio = studioDevice();
    const { data } = await studio.GET('/ota/{pro_id}/{dev_name}/check', {
      params: { path: named, query: { type: 2, version: 'V1.0' } },
    });
    expect(data).toMatchObject({ errno: StudioCode.Success, data: { tid: 1, target: 'V2.0' } });
    const response = await h.fetch(
      new Request(`${h.url}/ota/${demo.productId}/${demo.deviceName}/1/download/`, {
        headers: {
          Range: '100-199',
          Authorization: await signToken({
            accessKey: demo.deviceKey,
            res: `products/${demo.productId}/devices/${demo.deviceName}`,
            et: Math.floor(h.platform.clock.now() / 1000) + 3600,
          }),
        },
      }),
    );
    expect(response.status).toBe(206);
    expect(
      Object.fromEntries(
        ['ota-errno', 'content-range-start', 'content-range-end'].map((n) => [n, response.headers.get(n)]),
      ),
    ).toEqual({
      'ota-errno': '0',
      'content-range-start': '100',
      'content-range-end': '199',
    });
    expect((await response.arrayBuffer()).byteLength).toBe(100);
  });

  it('takes 201 straight after the whole package, as OneNET’s thing-model client sends it, and journals it', async () => {
    const studio = studioDevice();
    const tid = { ...named, tid: 1 };
    const status = (step: number) =>
      studio.POST('/ota/{pro_id}/{dev_name}/{tid}/status', { params: { path: tid }, body: { step } });
    const download = (range: string) =>
      studio.GET('/ota/{pro_id}/{dev_name}/{tid}/download', {
        params: { path: tid, header: { Range: range } },
        parseAs: 'arrayBuffer',
      });
    // Half the package: a 201 is refused as before, the download is not done.
    await download(`0-${demo.packageSize / 2 - 1}`);
    expect((await status(201)).data?.errno).toBe(StudioCode.InvalidOperation);
    await download(`${demo.packageSize / 2}-${demo.packageSize - 1}`);
    expect((await status(201)).data?.errno).toBe(StudioCode.Success);
    expect(demoState(h)).toBe('succeeded');
    const taken = h.platform.journal.query({ operation: 'studioReportStatus' }).entries.at(-1);
    expect(taken?.tolerated).toEqual([
      { pointer: '#/body/step', message: expect.stringMatching(/^201 without 101: taken on Studio/) },
    ]);
  });

  it('answers 10 when there is no task', async () => {
    const { data } = await studioDevice().GET('/ota/{pro_id}/{dev_name}/check', {
      params: { path: named, query: { type: 1, version: 'M1' } },
    });
    expect(data?.errno).toBe(StudioCode.NoTask);
  });

  it('sees a task created through the management API, as the legacy device does', async () => {
    const tasks = await h.admin.GET('/api/v1/products/{productId}/tasks', {
      params: { path: { productId: demo.productId } },
    });
    expect(tasks.data?.items.map((t) => t.tid)).toEqual([1]);
    const { data } = await studioDevice().GET('/ota/{pro_id}/{dev_name}/{tid}/check', {
      params: { path: { ...named, tid: 1 } },
    });
    expect(data?.data?.status).toBe(TidTaskStatus.Waiting);
  });
});
