import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The SDK as a user gets it: packed by pnpm (which builds it and swaps in the published exports and bin),
// installed with npm into a new project outside the workspace, then imported, run and typechecked from there.
// The ecosystem's packaging linters judge the same tarball.

const run = promisify(execFile);
const sdkDir = new URL('..', import.meta.url).pathname;
const workspace = new URL('../../..', import.meta.url).pathname;
const bin = (name: string) => join(workspace, 'node_modules', '.bin', name);
const work = mkdtempSync(join(tmpdir(), 'ota-published-'));
const project = join(work, 'project');
let tarball = '';

beforeAll(async () => {
  await run('pnpm', ['pack', '--pack-destination', work], { cwd: sdkDir });
  tarball = join(work, readdirSync(work).find((name) => name.endsWith('.tgz')) ?? '');
  await run('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: project });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('@onenet-ota/sdk as published', () => {
  it('ships compiled JavaScript with types, and no sources, tests or configs', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/src/index.js');
    expect(files).toContain('package/dist/src/index.d.ts');
    expect(files).toContain('package/dist/bin/ota-device.js');
    expect(files).toContain('package/LICENSE');
    expect(
      files.filter((f) => /\/(src|test|scripts)\/|tsconfig|vitest|\.test\./.test(f.replace('package/dist/', ''))),
    ).toEqual([]);
    expect(statSync(tarball).size).toBeLessThan(256 * 1024);
  });

  it('imports in a plain .mjs file and signs the public test vector', async () => {
    writeFileSync(
      join(project, 'check.mjs'),
      `import { productResource, signToken } from '@onenet-ota/sdk';
process.stdout.write(await signToken({ accessKey: 'KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=', res: productResource('123123'), et: 1537255523 }));`,
    );
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: project });
    expect(stdout).toBe(
      'version=2018-10-31&res=products%2F123123&et=1537255523&method=sha1&sign=lsaPSiiGvEFFjXu5WU7a6IkScqE%3D',
    );
  });

  it('runs its bin on plain Node, without type stripping', async () => {
    const { stdout } = await run('npx', ['--no-install', 'ota-device', '--help'], { cwd: project });
    expect(stdout).toMatch(/^Usage: ota-device/);
  });

  it.each(['nodenext', 'bundler'])(
    'typechecks a user file against the published types (%s)',
    async (resolution) => {
      writeFileSync(
        join(project, 'user.ts'),
        `import { createDeviceClient, type OtaAgentOptions, type UpgradeResult } from '@onenet-ota/sdk';
const client = createDeviceClient({ baseUrl: 'http://127.0.0.1:8787', productId: '123123', accessKey: 'a2V5' });
const { data } = await client.GET('/ota/south/check', {
  params: { query: { dev_id: 1, manuf: '100', model: '10001', type: 2, version: 'V1.0' } },
});
export const errno: number | undefined = data?.errno;
export const options: Partial<OtaAgentOptions> = { fragmentSize: 4096 };
export const outcome: UpgradeResult['outcome'] = 'upgraded';
// @ts-expect-error: the spec's types reach the user; a check has no such query parameter
await client.GET('/ota/south/check', { params: { query: { dev_id: 1, bogus: 1 } } });
`,
      );
      const config = {
        compilerOptions: {
          strict: true,
          module: resolution === 'nodenext' ? 'nodenext' : 'esnext',
          moduleResolution: resolution,
          target: 'es2022',
          lib: ['es2023', 'dom'],
          types: [],
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['user.ts'],
      };
      writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(config));
      const checked = await run(bin('tsc'), ['-p', `tsconfig.${resolution}.json`], { cwd: project }).catch(
        (error: { stdout: string }) => error,
      );
      expect('stdout' in checked ? checked.stdout : '').toBe('');
    },
    30_000,
  );

  it('is clean by publint and by arethetypeswrong (ESM only)', async () => {
    const publint = await run(bin('publint'), [tarball]);
    expect(publint.stdout).toContain('All good!');
    // Exits non-zero on any problem in the resolutions an ESM-only package supports.
    await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped']);
  }, 60_000);
});
