import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = new URL('../bin/ota-conformance.ts', import.meta.url).pathname;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-conformance-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const conformance = (args: string[]) =>
  run(process.execPath, [bin, '--report-dir', dir, ...args]).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

describe('ota-conformance', () => {
  it('judges the reference device, prints a line per case and writes three reports', async () => {
    const { code, stdout } = await conformance(['--cases', 'TOK-001,RNG-001']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/PASS {2}TOK-001 /);
    expect(stdout).toContain('32 cases: 2 pass, 30 disabled — conforms');
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report.cases.find((c: { id: string }) => c.id === 'RNG-001').verdict).toBe('pass');
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuites name="onenet-ota-conformance"');
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('The device conforms.');
  }, 30_000);

  it("runs a device command of the user's, filling the placeholders per case", async () => {
    const device = join(
      dirname(createRequire(import.meta.url).resolve('@onenet-ota/sdk/package.json')),
      'bin/ota-device.ts',
    );
    // Only placeholders, no OTA_* variables: what a firmware team's own launcher would take.
    const command = `env -i PATH="$PATH" "${process.execPath}" "${device}" --base-url {baseUrl} --product-id {productId} --dev-id {devId} --access-key {accessKey} --version {version} --manuf {manuf} --model {model} --type {type} --state-dir {stateDir} --output {output}`;
    const { code, stdout } = await conformance(['--device-cmd', command, '--cases', 'RNG-003,RPT-003']);
    expect(stdout).toContain('OneNET OTA conformance: env -i');
    expect(stdout).toMatch(/PASS {2}RNG-003 /);
    expect(stdout).toMatch(/PASS {2}RPT-003 /);
    expect(code).toBe(0);
  }, 30_000);

  it('fails a mutant (exit 1) unless its failure is an expected one', async () => {
    const failed = await conformance(['--cases', 'RNG-006', '--quirk', 'skip-md5']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAIL {2}RNG-006 /);
    const expected = join(dir, 'expected.json');
    await writeFile(expected, JSON.stringify({ 'RNG-006': 'md5 lands in 2.1' }));
    const forgiven = await conformance(['--cases', 'RNG-006', '--quirk', 'skip-md5', '--expected-failures', expected]);
    expect(forgiven.code).toBe(0);
    expect(forgiven.stdout).toContain('(expected: md5 lands in 2.1)');
  }, 30_000);

  it('lists the rules, and refuses unknown flags with exit 2', async () => {
    const listed = await conformance(['--list']);
    expect(listed.stdout.trim().split('\n')).toHaveLength(32);
    const bad = await conformance(['--quirk', 'telepathy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown quirk telepathy');
  });
});
