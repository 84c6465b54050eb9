import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type components, Md5 } from '@onenet-ota/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { demo, demoImage } from '../src/index.ts';
import { commandDiffs } from '../src/node.ts';
import { type Harness, startHarness, uploadPackage } from './harness.ts';

// Differential packages made by the firmware team's own tool (`ota-mock --diff-cmd`): Debian's bsdiff, run as a
// real process; and commands that fail, hang or write too much, each bounded and reported in the job.

let h: Harness | undefined;
afterEach(() => h?.close());

const base = demoImage(demo.packageSize, 0xb0b);
const target = base.slice();
for (let i = 0; i < 4096; i += 97) target[i + 20_000] = i & 0xff;

async function generate(
  command: string,
  diffFormat: components['schemas']['DiffFormat'] = 'unknown',
  timeoutMs = 2000,
) {
  h = await startHarness({ seed: 'demo', generateDiff: commandDiffs({ command, timeoutMs }), diffFormat });
  await uploadPackage(h, base, { name: 'app-1.0', targetVersion: 'V1.0' });
  const pkg = (await (await uploadPackage(h, target, { name: 'app-2.0', targetVersion: 'V2.0' })).json()) as {
    id: string;
  };
  const path = { productId: demo.productId, packageId: pkg.id };
  const accepted = await h.admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
    params: { path },
    body: { initialVersion: 'V1.0' },
  });
  let job = accepted.data as components['schemas']['Job'] | undefined;
  while (job?.status === 'queued' || job?.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 20));
    job = (await h.admin.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: accepted.data?.id ?? '' } } })).data;
  }
  return { job, path };
}

describe('a diff command', () => {
  it('makes the differential package: bsdiff40 from Debian’s bsdiff, which bspatch restores', async () => {
    const { job, path } = await generate('bsdiff {old} {new} {out}', 'bsdiff40');
    expect(job?.status).toBe('succeeded');
    const diff = (
      await h?.admin.GET('/api/v1/products/{productId}/packages/{packageId}/diffs/{diffId}', {
        params: { path: { ...path, diffId: job?.result?.diffId ?? '' } },
      })
    )?.data;
    expect(diff).toMatchObject({ format: 'bsdiff40', origin: 'generated' });
    // The patch is Debian's bsdiff's (deterministic: the same bytes here), and bspatch makes the target from it.
    const dir = mkdtempSync(join(tmpdir(), 'bspatch-'));
    try {
      writeFileSync(join(dir, 'old'), base);
      writeFileSync(join(dir, 'new'), target);
      execFileSync('bsdiff', [join(dir, 'old'), join(dir, 'new'), join(dir, 'patch')]);
      const patch = readFileSync(join(dir, 'patch'));
      expect([diff?.size, diff?.md5]).toEqual([patch.length, new Md5().update(patch).hex()]);
      expect(patch.subarray(0, 8).toString()).toBe('BSDIFF40');
      execFileSync('bspatch', [join(dir, 'old'), join(dir, 'restored'), join(dir, 'patch')]);
      expect(new Md5().update(readFileSync(join(dir, 'restored'))).hex()).toBe(new Md5().update(target).hex());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Asking for another format than the command writes is refused, naming what it writes.
    const vcdiff = await (h as Harness).admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
      params: { path },
      body: { initialVersion: 'V1.0', format: 'vcdiff' },
    });
    expect((vcdiff.error as { detail?: string }).detail).toMatch(/writes bsdiff40/);
  });

  it.each([
    ['fails', 'echo no such base >&2; exit 3', /^the diff command exited 3: no such base$/],
    ['hangs', 'sleep 30; touch {out} # {old} {new}', /^the diff command did not finish within 0.5 s, and was stopped$/],
    [
      'writes 10× the package',
      'head -c 100000000 /dev/zero > {out} # {old} {new}',
      /^the diff command (was writing more than|wrote \d+ bytes, over) 10× the \d+-byte image/,
    ],
    ['writes nothing', 'true {old} {new} {out}', /^the diff command wrote nothing to \{out\}/],
  ])('that %s is bounded and reported in the job, and the platform goes on', async (_what, command, why) => {
    const { job } = await generate(command, 'unknown', 500);
    expect(job?.status).toBe('failed');
    expect(job?.error?.detail).toMatch(why);
    const { data } = await (h as Harness).device.GET('/ota/device/version', {
      params: { query: { dev_id: demo.devId } },
    });
    expect(data?.errno).toBe(0);
  });
});
