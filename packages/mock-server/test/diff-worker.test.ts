import { type components, memorySource, restoreVcdiff } from '@onenet-ota/sdk';
import { describe, expect, it } from 'vitest';
import { demo, demoImage } from '../src/index.ts';
import { workerDiffs } from '../src/node.ts';
import { startHarness, uploadPackage } from './harness.ts';

// Online diff generation on a worker thread: the platform answers other requests while a large patch is made,
// and the job is seen running. Without the worker, the in-thread encoder holds the event loop until it is done,
// so no request could see the job between `queued` and `succeeded`.

describe('online diff generation with workerDiffs()', () => {
  it('runs off the event loop: the job is seen running while the platform answers, and the patch restores', async () => {
    const h = await startHarness({ seed: 'demo', generateDiff: workerDiffs() });
    try {
      // Two unrelated 4 MiB images: the slowest kind of patch to make, about a second of encoder work.
      const size = 4 * 1024 * 1024;
      const base = demoImage(size, 1);
      const target = demoImage(size, 2);
      await uploadPackage(h, base, { name: 'big-1.0', targetVersion: 'V1.0' });
      const pkg = (await (await uploadPackage(h, target, { name: 'big-2.0', targetVersion: 'V2.0' })).json()) as {
        id: string;
      };
      const accepted = await h.admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
        params: { path: { productId: demo.productId, packageId: pkg.id } },
        body: { initialVersion: 'V1.0' },
      });
      const jobId = accepted.data?.id as string;
      const seen: string[] = [];
      let job: components['schemas']['Job'] | undefined;
      do {
        job = (await h.admin.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId } } })).data;
        seen.push(job?.status ?? 'missing');
      } while (job?.status === 'queued' || job?.status === 'running');
      expect(seen).toContain('running');
      expect(job?.status).toBe('succeeded');

      // The stored patch, as the device would download it.
      const patch = h.platform.state.diffs.get(job?.result?.diffId as string)?.bytes ?? new Uint8Array();
      const restored: Uint8Array[] = [];
      for await (const window of restoreVcdiff(memorySource(base), [patch])) restored.push(window);
      expect(Buffer.concat(restored).equals(Buffer.from(target))).toBe(true);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('makes vcdiff-lzma on the worker too: the native LZMA2 encoder loads in a worker thread', async () => {
    const h = await startHarness({ seed: 'demo', generateDiff: workerDiffs() });
    try {
      const base = demoImage(256 * 1024, 1);
      const target = base.slice();
      target.set(demoImage(4096, 9), 100_000);
      await uploadPackage(h, base, { name: 'small-1.0', targetVersion: 'V1.0' });
      const pkg = (await (await uploadPackage(h, target, { name: 'small-2.0', targetVersion: 'V2.0' })).json()) as {
        id: string;
      };
      const accepted = await h.admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
        params: { path: { productId: demo.productId, packageId: pkg.id } },
        body: { initialVersion: 'V1.0', format: 'vcdiff-lzma' },
      });
      let job: components['schemas']['Job'] | undefined;
      do
        job = (await h.admin.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: accepted.data?.id as string } } }))
          .data;
      while (job?.status === 'queued' || job?.status === 'running');
      expect(job).toMatchObject({ status: 'succeeded' });
      const diff = h.platform.state.diffs.get(job?.result?.diffId as string);
      expect(diff?.format).toBe('vcdiff-lzma');
      const restored: Uint8Array[] = [];
      for await (const window of restoreVcdiff(memorySource(base), [diff?.bytes as Uint8Array])) restored.push(window);
      expect(Buffer.concat(restored).equals(Buffer.from(target))).toBe(true);
    } finally {
      await h.close();
    }
  });
});
