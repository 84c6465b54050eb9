import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { listOperations, loadSpec, specPath } from '../src/index.ts';

const run = promisify(execFile);
const redocly = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
const outDir = await mkdtemp(join(tmpdir(), 'onenet-ota-docs-'));
afterAll(() => rm(outDir, { recursive: true, force: true }));

it('renders the spec to one self-contained HTML reference with every operation', { timeout: 60_000 }, async () => {
  const out = join(outDir, 'index.html');
  await run(process.execPath, [redocly, 'build-docs', specPath, '--inlineBundle', '--output', out]);
  const html = await readFile(out, 'utf8');
  expect(html).not.toMatch(/<script[^>]+src="https?:/);
  for (const { operation } of listOperations(loadSpec())) expect(html).toContain(String(operation.summary));
});
