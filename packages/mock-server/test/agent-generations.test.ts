import { type Generation, Md5, OtaAgent, type OtaAgentOptions } from '@onenet-ota/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo, demoImage } from '../src/index.ts';
import { type Harness, startHarness } from './harness.ts';

// The reference agent on OneNET Studio and the new platform, against the mock over real HTTP, on its virtual clock.

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const imageMd5 = new Md5().update(demoImage(demo.packageSize)).hex();

function agentFor(generation: Exclude<Generation, 'legacy'>, overrides: Partial<OtaAgentOptions> = {}) {
  const installed: Uint8Array[] = [];
  const agent = new OtaAgent({
    client: {
      generation,
      baseUrl: h.url,
      productId: demo.productId,
      deviceName: demo.deviceName,
      accessKey: demo.deviceKey,
      fetch: h.fetch,
    },
    type: 2,
    version: demo.fromVersion,
    now: h.platform.clock.now,
    sleep: async (ms) => {
      h.platform.clock.advance(ms);
    },
    idleTimeoutMs: 2000,
    fragmentSize: 8192,
    install: async (chunks) => {
      for await (const chunk of chunks) installed.push(new Uint8Array(chunk));
    },
    ...overrides,
  });
  return { agent, installed };
}

const control = (action: 'pause' | 'resume' | 'cancel') =>
  h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: 'tsk_1', action } },
  });
const deviceTask = () => h.platform.state.deviceTasks.get(`tsk_1/${demo.devId}`);
const journaled = (operation: string) => h.platform.journal.query({ operation }).entries;

describe.each([
  ['fuse', 100, 'fuseDownloadPackage'],
  ['studio', 101, 'studioDownloadPackage'],
] as const)('OtaAgent on %s', (generation, downloaded, downloadOp) => {
  it(`upgrades: fragments by tid with Ota-Errno 0, md5 checked, ${downloaded} then 201, version reported`, async () => {
    const { agent, installed } = agentFor(generation);
    const result = await agent.run();
    expect(result).toMatchObject({ outcome: 'upgraded', target: 'V2.0', bytesDownloaded: demo.packageSize });
    expect(result.reported.slice(-2)).toEqual([downloaded, 201]);
    expect(result.reported).not.toContain(generation === 'fuse' ? 101 : 100);
    expect(new Md5().update(Buffer.concat(installed)).hex()).toBe(imageMd5);
    expect(deviceTask()?.state).toBe('succeeded');
    expect(h.platform.state.devices.get(demo.devId)?.sVersion).toBe('V2.0');
    const downloads = journaled(downloadOp);
    expect(downloads).toHaveLength(demo.packageSize / 8192);
    expect(downloads.every((e) => e.response.headers['ota-errno'] === '0')).toBe(true);
  });

  it('resumes from the last good byte after a connection reset mid-fragment', async () => {
    await h.admin.POST('/__mock/faults', {
      body: { match: { operation: downloadOp }, action: { kind: 'reset', afterBytes: 3000 }, times: 1 },
    });
    const { agent, installed } = agentFor(generation);
    const result = await agent.run();
    expect(result).toMatchObject({ outcome: 'upgraded', retriesUsed: 1, bytesDownloaded: demo.packageSize });
    expect(new Md5().update(Buffer.concat(installed)).hex()).toBe(imageMd5);
    expect(journaled(downloadOp)[1]?.request.headers.range).toBe('bytes=3000-11191');
  });

  it('stops without a failure report when the task is canceled, learning it from Ota-Errno 5 and the task status', async () => {
    let fragments = 0;
    const { agent } = agentFor(generation, {
      progressStep: 1,
      log: (line) => {
        if (line.startsWith('report ') && ++fragments === 2) void control('cancel');
      },
    });
    const result = await agent.run();
    expect(result.outcome).toBe('canceled');
    expect(result.reported.every((code) => code < 100)).toBe(true);
    expect(deviceTask()?.state).toBe('canceled');
  });

  it('waits while a paused task holds it after the download, then installs when it resumes', async () => {
    await control('pause');
    // Paused before the device started: the check reads "no task".
    expect((await agentFor(generation).agent.run()).outcome).toBe('no-task');
    await control('resume');
    let resumed = false;
    const { agent } = agentFor(generation, {
      pauseWaitMs: 60_000,
      log: (line) => {
        if (line.startsWith('report 50')) void control('pause');
        if (line.startsWith('task waiting') && !resumed) {
          resumed = true;
          void control('resume');
        }
      },
    });
    const result = await agent.run();
    expect(result.outcome).toBe('upgraded');
    expect(resumed).toBe(true);
  });
});

describe('OtaAgent options', () => {
  it('says what is missing: devId for legacy, a device name for the named generations', () => {
    const base = { type: 2 as const, version: 'V1', install: async () => {} };
    const client = { baseUrl: h.url, productId: demo.productId, accessKey: demo.productKey };
    expect(() => new OtaAgent({ ...base, client })).toThrow(/devId/);
    expect(() => new OtaAgent({ ...base, client: { ...client, generation: 'fuse' } })).toThrow(/deviceName/);
  });
});
