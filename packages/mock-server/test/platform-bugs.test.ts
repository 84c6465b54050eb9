import { Errno } from '@onenet-ota/sdk';
import { describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { demoToken, startHarness } from './harness.ts';

// A handler that throws is a platform bug. The device still gets an answer the spec allows, the journal keeps
// what was thrown, and the test harness fails on it.
describe('a handler that throws', () => {
  it('answers errno 7, journals the exception, and fails the harness', async () => {
    const h = await startHarness();
    const token = await demoToken(h);
    // Break the platform from inside, as a bug would: a device state the state machine does not know.
    const deviceTask = h.platform.state.deviceTasks.get(`tsk_1/${demo.devId}`);
    if (!deviceTask) throw new Error('the demo task has no device');
    Object.assign(deviceTask, { state: 'no-such-state' });
    const { data } = await h.device.GET('/ota/south/download/{token}/check', {
      params: { path: { token }, query: { dev_id: demo.devId } },
    });
    expect(data?.errno).toBe(Errno.InternalError);
    const [entry] = h.platform.journal.query({ operation: 'checkToken' }).entries;
    expect(entry?.errno).toBe(Errno.InternalError);
    expect(entry?.exception).toMatch(/TypeError/);
    await expect(h.close()).rejects.toThrow(/handlers that threw/);
  });
});
