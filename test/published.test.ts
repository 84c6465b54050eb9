import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The packages as a user gets them: each packed by pnpm (which builds it and swaps in the published exports and
// bins), all installed with npm into a new project outside the workspace, then imported, run, tested and
// typechecked from there. The ecosystem's packaging linters judge the same tarballs.

const exec = promisify(execFile);
const workspace = new URL('..', import.meta.url).pathname;
const tool = (name: string) => join(workspace, 'node_modules', '.bin', name);
const packages = {
  openapi: 'openapi',
  sdk: 'packages/sdk',
  'mock-server': 'packages/mock-server',
  conformance: 'packages/conformance',
};
const work = mkdtempSync(join(tmpdir(), 'ota-published-'));
const project = join(work, 'project');
const tarballs: Record<string, string> = {};
const phases: string[] = [];
// The bins' `#!/usr/bin/env node` finds the Node running this test first (24, as the engines say).
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
const run = (file: string, args: string[], timeout = 120_000) => exec(file, args, { cwd: project, env, timeout });

beforeAll(async () => {
  const started = performance.now();
  await Promise.all(
    Object.entries(packages).map(async ([name, dir]) => {
      const destination = join(work, name);
      mkdirSync(destination);
      await exec('pnpm', ['pack', '--pack-destination', destination], { cwd: join(workspace, dir), env });
      tarballs[name] = join(destination, readdirSync(destination)[0] ?? '');
    }),
  );
  phases.push(`packed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  // With the user's own test runner, in one npm run.
  await run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...Object.values(tarballs),
    'vitest@5.1.0',
  ]);
  phases.push(`installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.stdout.write(`published packages: ${phases.join(', ')}\n`);
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Concurrent: each test is a process or two of its own, and they only read the installed project.
describe.concurrent('the packages as published', () => {
  it.each(Object.keys(packages))(
    '%s ships compiled JavaScript with types and a license, no tests or configs',
    async (name) => {
      const { stdout } = await exec('tar', ['tzf', tarballs[name] ?? '']);
      const files = stdout
        .trim()
        .split('\n')
        .map((f) => f.replace(/^package\//, ''));
      expect(files).toContain('dist/src/index.js');
      expect(files).toContain('dist/src/index.d.ts');
      expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
      const strays = files.filter((f) =>
        /(^|\/)(test|scripts)\/|tsconfig|vitest|\.test\.|(^|\/)src\/.*\.ts$/.test(f.replace(/^dist\//, 'dist-')),
      );
      expect(strays).toEqual([]);
      expect(statSync(tarballs[name] ?? '').size).toBeLessThan(256 * 1024);
    },
  );

  it('imports the SDK in a plain .mjs file and signs the public test vector', async () => {
    writeFileSync(
      join(project, 'check.mjs'),
      `import { productResource, signToken } from '@onenet-ota/sdk';
process.stdout.write(await signToken({ accessKey: 'KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=', res: productResource('123123'), et: 1537255523 }));`,
    );
    const { stdout } = await run('node', ['check.mjs']);
    expect(stdout).toBe(
      'version=2018-10-31&res=products%2F123123&et=1537255523&method=sha1&sign=lsaPSiiGvEFFjXu5WU7a6IkScqE%3D',
    );
  }, 60_000);

  it('runs the bins on plain Node, without type stripping', async () => {
    expect((await run('npx', ['--no-install', 'ota-mock', '--help'])).stdout).toMatch(/^Usage: ota-mock/);
    expect((await run('npx', ['--no-install', 'ota-device', '--help'])).stdout).toMatch(/^Usage: ota-device/);
  }, 60_000);

  it('runs the whole conformance suite against the reference device with npx ota-conformance (exit 0)', async () => {
    const { stdout } = await run('npx', ['--no-install', 'ota-conformance', '--report-dir', join(work, 'reports')]);
    expect(stdout).toMatch(/\d+ cases: \d+ pass — conforms/);
  }, 180_000);

  it("calls runConformance() from the user's own vitest test", async () => {
    writeFileSync(
      join(project, 'device.test.mjs'),
      `import { runConformance } from '@onenet-ota/conformance';
import { expect, test } from 'vitest';
test('the device conforms', async () => {
  const result = await runConformance({ cases: ['TOK-*', 'RNG-001'] });
  expect(result.cases.length).toBeGreaterThan(1);
  expect(result.ok).toBe(true);
}, 120_000);`,
    );
    const { stdout } = await run('npx', ['--no-install', 'vitest', 'run', 'device.test.mjs']);
    expect(stdout).toContain('1 passed');
  }, 180_000);

  it.each(['nodenext', 'bundler'])(
    "typechecks a user's .ts file against the published types (%s)",
    async (resolution) => {
      writeFileSync(
        join(project, 'user.ts'),
        `import { createDeviceClient, type OtaAgentOptions, type UpgradeResult } from '@onenet-ota/sdk';
import { createPlatform, type Platform } from '@onenet-ota/mock-server';
import { type RunResult, runConformance } from '@onenet-ota/conformance';
const platform: Platform = createPlatform({ seed: 'demo' });
const client = createDeviceClient({ baseUrl: 'http://127.0.0.1', productId: '123123', accessKey: 'a2V5', fetch: platform.fetch });
const { data } = await client.GET('/ota/south/check', {
  params: { query: { dev_id: 1, manuf: '100', model: '10001', type: 2, version: 'V1.0' } },
});
export const errno: number | undefined = data?.errno;
export const options: Partial<OtaAgentOptions> = { fragmentSize: 4096 };
export const outcome: UpgradeResult['outcome'] = 'upgraded';
export const run: () => Promise<RunResult> = () => runConformance({ cases: ['TOK-*'] });
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
      const checked = await run(tool('tsc'), ['-p', `tsconfig.${resolution}.json`]).catch(
        (error: { stdout: string }) => error,
      );
      expect('stdout' in checked ? checked.stdout : '').toBe('');
    },
    60_000,
  );

  it.each(Object.keys(packages))(
    '%s is clean by publint and arethetypeswrong (ESM only)',
    async (name) => {
      const tarball = tarballs[name] ?? '';
      expect((await run(tool('publint'), [tarball])).stdout).toContain('All good!');
      // Exits non-zero on any problem in the resolutions an ESM-only package supports; the spec files are data.
      await run(tool('attw'), [tarball, '--profile', 'esm-only', '--exclude-entrypoints', './openapi.yaml']);
    },
    60_000,
  );
});
