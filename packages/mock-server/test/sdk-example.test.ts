import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { type Harness, startHarness } from './harness.ts';

// The README's SDK example, run as it is against a real mock server.
const example = join(
  dirname(createRequire(import.meta.url).resolve('@onenet-ota/sdk/package.json')),
  'examples/sign-and-run.ts',
);

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ seed: 'demo', clock: 'real' });
});
afterEach(() => h.close());

it('signs a token and upgrades the demo device', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [example], {
    env: { ...process.env, OTA_BASE_URL: h.url },
  });
  const words = stdout.trim().split(' ');
  const [authorization, flashed, summary] = [words[0], words.at(-1), words.slice(1, -1).join(' ')];
  expect(authorization).toMatch(/^version=2018-10-31&res=products%2F123123&et=\d+&method=sha1&sign=/);
  expect(JSON.parse(summary)).toMatchObject({ outcome: 'upgraded', target: 'V2.0' });
  expect(Number(flashed)).toBe(demo.packageSize);
}, 20_000);
