import {
  type components,
  createDeviceClient,
  Md5,
  memorySource,
  OtaAgent,
  type OtaAgentOptions,
  vcdiffRestore,
} from '@onenet-ota/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { patchWindows } from '../../sdk/test/vcdiff-windows.ts';
import { demo, demoImage } from '../src/index.ts';
import { workerDiffs } from '../src/node.ts';
import { demoModule, type Harness, startHarness, uploadPackage } from './harness.ts';

// Differential packages end to end: the platform generates a VCDIFF patch from two stored full packages as a job,
// the task hands it out as type 2, and the reference agent restores the image from its current one.

let h: Harness;
// The node door's generator, as ota-mock runs it: it writes vcdiff and, with its LZMA2 encoder, vcdiff-lzma.
beforeEach(async () => {
  h = await startHarness({ seed: 'demo', generateDiff: workerDiffs() });
});
afterEach(() => h.close());

const base = demoImage(demo.packageSize, 0xb0b); // what the device runs: V1.0
const target = base.slice(); // V2.0: a few bytes and a block changed
for (let i = 0; i < 4096; i += 97) target[i + 20_000] = i & 0xff;
const md5 = (bytes: Uint8Array) => new Md5().update(bytes).hex();

async function generatedDiffTask(
  how: Omit<components['schemas']['DiffGenerate'], 'initialVersion'> = {},
): Promise<{ diff: components['schemas']['DiffPackage']; taskId: string }> {
  await uploadPackage(h, base, { name: 'app-1.0', targetVersion: 'V1.0' });
  const upload = await uploadPackage(h, target, { name: 'app-2.0', targetVersion: 'V2.0' });
  const pkg = (await upload.json()) as { id: string };
  const path = { productId: demo.productId, packageId: pkg.id };
  const accepted = await h.admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
    params: { path },
    body: { initialVersion: 'V1.0', ...how },
  });
  expect(accepted.response.status).toBe(202);
  expect(accepted.response.headers.get('location')).toBe(`/api/v1/jobs/${accepted.data?.id}`);
  // 202: the answer is the job (201 would be an uploaded patch).
  let job = accepted.data as components['schemas']['Job'] | undefined;
  while (job?.status === 'queued' || job?.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 5));
    job = (await h.admin.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: accepted.data?.id ?? '' } } })).data;
  }
  expect(job?.status).toBe('succeeded');
  const diff = (
    await h.admin.GET('/api/v1/products/{productId}/packages/{packageId}/diffs/{diffId}', {
      params: { path: { ...path, diffId: job?.result?.diffId ?? '' } },
    })
  ).data;
  if (!diff) throw new Error('no diff');
  // The demo task holds the device; end it and start one with the differential package.
  await h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: 'tsk_1', action: 'cancel' } },
  });
  const task = await h.admin.POST('/api/v1/products/{productId}/tasks', {
    params: { path: { productId: demo.productId } },
    body: { name: 'delta', packageId: pkg.id, diffId: diff.id, targets: { devIds: [demo.devId] } },
  });
  const taskId = task.data?.id ?? '';
  await h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId, action: 'start' } },
  });
  return { diff, taskId };
}

function agent(current: Uint8Array, installed: Uint8Array[], overrides: Partial<OtaAgentOptions> = {}) {
  return new OtaAgent({
    client: createDeviceClient({
      baseUrl: h.url,
      productId: demo.productId,
      accessKey: demo.productKey,
      now: h.platform.clock.now,
      fetch: h.fetch,
    }),
    ...demoModule,
    now: h.platform.clock.now,
    sleep: async (ms) => h.platform.clock.advance(ms),
    restore: vcdiffRestore(memorySource(current)),
    install: async (image) => {
      for await (const chunk of image) installed.push(new Uint8Array(chunk));
    },
    ...overrides,
  });
}

describe('differential packages', () => {
  it('are generated online as a job, named by the console rule, and handed out as type 2', async () => {
    const { diff } = await generatedDiffTask();
    expect(diff).toMatchObject({
      origin: 'generated',
      format: 'vcdiff',
      initialVersion: 'V1.0',
      targetVersion: 'V2.0',
      fileName: 'otadiff&V2.0&V1.0',
    });
    expect(diff.size).toBeLessThan(target.length / 10);
    const check = await h.device.GET('/ota/south/check', {
      params: { query: { dev_id: demo.devId, manuf: demo.manuf, model: demo.model, type: 2, version: 'V1.0' } },
    });
    expect(check.data?.data).toMatchObject({ type: 2, size: diff.size, md5: diff.md5, target: 'V2.0' });
  });

  it('upgrade the reference device through its restore, end to end', async () => {
    await generatedDiffTask();
    const installed: Uint8Array[] = [];
    const result = await agent(base, installed).run();
    expect(result).toMatchObject({ outcome: 'upgraded', target: 'V2.0' });
    expect(md5(Buffer.concat(installed))).toBe(md5(target));
    expect(result.bytesDownloaded).toBeLessThan(target.length / 10);
  });

  it('are generated with LZMA secondary compression in small windows when asked, and the device restores them', async () => {
    const { diff } = await generatedDiffTask({ format: 'vcdiff-lzma', windowSize: 16 * 1024 });
    expect(diff).toMatchObject({ origin: 'generated', format: 'vcdiff-lzma' });
    const patch = h.platform.state.diffs.get(diff.id)?.bytes as Uint8Array;
    expect([...patch.subarray(4, 6)]).toEqual([1, 2]); // VCD_DECOMPRESS, xdelta3's id for LZMA
    const installed: Uint8Array[] = [];
    const result = await agent(base, installed).run();
    expect(result).toMatchObject({ outcome: 'upgraded', target: 'V2.0' });
    expect(md5(Buffer.concat(installed))).toBe(md5(target));
  });

  it("are generated as the product says when a generation names nothing: its devices' format and window", async () => {
    const path = { productId: demo.productId };
    const tiny = { format: 'vcdiff-lzma', windowSize: 16 * 1024 } as const;
    const set = await h.admin.PATCH('/api/v1/products/{productId}', { params: { path }, body: { diffs: tiny } });
    expect(set.data?.diffs).toEqual(tiny);
    const { diff } = await generatedDiffTask();
    expect(diff.format).toBe('vcdiff-lzma');
    // 16 KiB windows: the patch's first window says so (a 64 KiB image makes four).
    const patch = h.platform.state.diffs.get(diff.id)?.bytes as Uint8Array;
    expect(patchWindows(patch).map((w) => w.targetLength)).toEqual([16384, 16384, 16384, 16384]);
    const installed: Uint8Array[] = [];
    expect(await agent(base, installed).run()).toMatchObject({ outcome: 'upgraded' });
    // A format this platform cannot write is refused when the product is set, not when a generation fails.
    const refused = await h.admin.PATCH('/api/v1/products/{productId}', {
      params: { path },
      body: { diffs: { format: 'bsdiff40' } },
    });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ errors: [{ pointer: '#/body/diffs/format' }] });
  });

  it("report 204 and install nothing when the device runs another image than the diff's base", async () => {
    await generatedDiffTask();
    const installed: Uint8Array[] = [];
    const other = base.slice();
    other[100] = (other[100] as number) ^ 0xff;
    const result = await agent(other, installed).run();
    expect(result.reported.at(-1)).toBe(204);
    expect(installed).toEqual([]);
  });

  it('refuse generation without a base package, or in another format', async () => {
    const upload = await uploadPackage(h, target, { name: 'lonely', targetVersion: 'V3.0' });
    const pkg = (await upload.json()) as { id: string };
    const path = { productId: demo.productId, packageId: pkg.id };
    const noBase = await h.admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
      params: { path },
      body: { initialVersion: 'V0.1' },
    });
    expect(noBase.response.status).toBe(400);
    expect(noBase.error).toMatchObject({ errors: [{ pointer: '#/body/initialVersion' }] });
    const bsdiff = await h.admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
      params: { path },
      body: { initialVersion: 'V2.0', format: 'bsdiff40' },
    });
    expect(bsdiff.response.status).toBe(400);
    expect(bsdiff.error).toMatchObject({
      errors: [{ pointer: '#/body/format', message: expect.stringMatching(/writes vcdiff or vcdiff-lzma; bsdiff40/) }],
    });
    const tiny = await h.admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
      params: { path },
      body: { initialVersion: 'V2.0', windowSize: 100 },
    });
    expect(tiny.response.status).toBe(400);
    expect(tiny.error).toMatchObject({ errors: [{ pointer: '#/body/windowSize' }] });
  });

  it('are plain VCDIFF only from the core on its own, which holds no LZMA2 encoder (it runs in browsers too)', async () => {
    const core = await startHarness();
    try {
      await uploadPackage(core, base, { name: 'app-1.0', targetVersion: 'V1.0' });
      const pkg = (await (await uploadPackage(core, target, { name: 'app-2.0', targetVersion: 'V2.0' })).json()) as {
        id: string;
      };
      const lzma = await core.admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
        params: { path: { productId: demo.productId, packageId: pkg.id } },
        body: { initialVersion: 'V1.0', format: 'vcdiff-lzma' },
      });
      expect(lzma.response.status).toBe(400);
      expect(lzma.error).toMatchObject({
        errors: [{ pointer: '#/body/format', message: expect.stringMatching(/writes vcdiff; vcdiff-lzma patches/) }],
      });
    } finally {
      await core.close();
    }
  });
});
