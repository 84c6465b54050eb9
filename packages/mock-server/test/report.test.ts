import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { checkDemoToken, demoState, demoToken, type Harness, startHarness, step } from './harness.ts';

let h: Harness;
let token: string;
beforeEach(async () => {
  h = await startHarness();
  token = await demoToken(h);
});
afterEach(() => h.close());

const report = (result: number, t = token) =>
  h.device
    .POST('/ota/south/report', { params: { query: { dev_id: demo.devId, token: t } }, body: { result: result as 101 } })
    .then((r) => r.data?.errno);
const control = (action: 'pause' | 'resume' | 'cancel') =>
  h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: 'tsk_1', action } },
  });

describe('progress and status codes', () => {
  it('refuses steps before the token check (21), accepts them while downloading', async () => {
    expect(await step(h, token, 10)).toBe(21);
    await checkDemoToken(h, token);
    expect(await step(h, token, 10)).toBe(0);
    expect(await step(h, token, 60)).toBe(0);
    expect(h.platform.state.deviceTasks.get(`tsk_1/${demo.devId}`)?.progress).toBe(60);
  });

  it('moves to upgrading on step 100, then refuses 101 (100 and 101 both mean downloaded)', async () => {
    await checkDemoToken(h, token);
    expect(await step(h, token, 100)).toBe(0);
    expect(demoState(h)).toBe('upgrading');
    expect(await step(h, token, 101)).toBe(21);
  });

  it('refuses 201 without a prior 101 or step 100', async () => {
    await checkDemoToken(h, token);
    expect(await step(h, token, 201)).toBe(21);
    expect(demoState(h)).toBe('downloading');
  });

  it('completes on 101 then 201, sets the device version to the target, and accepts nothing after', async () => {
    await checkDemoToken(h, token);
    expect(await report(101)).toBe(0);
    expect(await report(201)).toBe(0);
    expect(demoState(h)).toBe('succeeded');
    expect(h.platform.state.devices.get(demo.devId)?.sVersion).toBe('V2.0');
    expect(h.platform.state.tasks.get('tsk_1')?.state).toBe('completed');
    expect(await report(205)).toBe(20);
    expect(await step(h, token, 50)).toBe(20);
  });

  it('fails on a download failure code, even before the token check (105 for low battery)', async () => {
    expect(await report(105)).toBe(0);
    expect(demoState(h)).toBe('failed');
  });

  it('refuses download codes while upgrading and accepts upgrade failures', async () => {
    await checkDemoToken(h, token);
    await report(101);
    expect(await report(103)).toBe(21);
    expect(await report(205)).toBe(0);
    expect(demoState(h)).toBe('failed');
  });

  it('answers 22 for every code after cancel', async () => {
    await checkDemoToken(h, token);
    await control('cancel');
    expect(await report(107)).toBe(22);
    expect(await step(h, token, 10)).toBe(22);
  });

  it('holds a device whose download finished while the task is paused, and lets it upgrade on resume', async () => {
    await checkDemoToken(h, token);
    await control('pause');
    expect(await step(h, token, 50)).toBe(0);
    expect(await report(101)).toBe(0);
    expect(demoState(h)).toBe('paused');
    expect(await report(201)).toBe(21);
    await control('resume');
    expect(demoState(h)).toBe('upgrading');
    expect(await report(201)).toBe(0);
  });

  it('answers 2 for an unknown code, 24 for a malformed result, 18/1 for an unknown token', async () => {
    await checkDemoToken(h, token);
    expect(await step(h, token, 150)).toBe(2);
    expect(await report(300)).toBe(2);
    const malformed = await h.device.POST('/ota/south/report', {
      params: { query: { dev_id: demo.devId, token } },
      body: { result: 'done' } as never,
    });
    expect(malformed.data?.errno).toBe(24);
    expect(await step(h, 'ota_AAAAAAAAAAAAAAAAAAAA', 10)).toBe(18);
    expect(await report(101, 'ota_AAAAAAAAAAAAAAAAAAAA')).toBe(1);
  });

  it('takes 207 and 208 after the token expired', async () => {
    await checkDemoToken(h, token);
    h.platform.clock.advance(49 * 3600_000);
    expect(await report(207)).toBe(0);
    expect(demoState(h)).toBe('failed');
  });

  it('is served on the seed path /ota/report too', async () => {
    const { data } = await h.device.POST('/ota/report', {
      params: { query: { dev_id: demo.devId, token } },
      body: { result: 105 },
    });
    expect(data?.errno).toBe(0);
  });
});

describe('version report', () => {
  it('records versions and completes a task whose target the device reports', async () => {
    await checkDemoToken(h, token);
    const { data } = await h.device.POST('/ota/device/version', {
      params: { query: { dev_id: demo.devId } },
      body: { s_version: 'V2.0', f_version: 'M1' },
    });
    expect(data?.errno).toBe(0);
    expect(demoState(h)).toBe('succeeded');
    const recorded = await h.device.GET('/ota/device/version', { params: { query: { dev_id: demo.devId } } });
    expect(recorded.data).toEqual({ errno: 0, error: 'succ', data: { f_version: 'M1', s_version: 'V2.0' } });
  });

  it('answers 27 for a version outside the rule and 2 for a malformed body', async () => {
    const bad = await h.device.POST('/ota/device/version', {
      params: { query: { dev_id: demo.devId } },
      body: { s_version: 'V 2' },
    });
    expect(bad.data?.errno).toBe(27);
    const malformed = await h.device.POST('/ota/device/version', {
      params: { query: { dev_id: demo.devId } },
      body: [] as never,
    });
    expect(malformed.data?.errno).toBe(2);
  });
});

describe('tasking and devInfo', () => {
  it('returns the task of a downloading device with the token it holds, 4 otherwise', async () => {
    const query = { dev_id: demo.devId, type: 2 as const };
    expect((await h.device.GET('/ota/south/tasking', { params: { query } })).data?.errno).toBe(4);
    await checkDemoToken(h, token);
    const { data } = await h.device.GET('/ota/south/tasking', { params: { query } });
    expect(data?.errno).toBe(0);
    expect(data?.data?.token).toBe(token);
    h.platform.clock.advance(48 * 3600_000);
    expect((await h.device.GET('/ota/south/tasking', { params: { query } })).data?.errno).toBe(12);
  });

  it('finds a device id from its authInfo given as query parameters', async () => {
    const { data } = await h.device.GET('/ota/devInfo', {
      params: { query: { pid: demo.productId, authInfo: demo.deviceName } },
    });
    expect(data).toEqual({ errno: 0, error: 'succ', data: { dev_id: String(demo.devId) } });
    const unknown = await h.device.GET('/ota/devInfo', {
      params: { query: { pid: demo.productId, authInfo: 'nobody' } },
    });
    expect(unknown.data?.errno).toBe(1);
  });
});
