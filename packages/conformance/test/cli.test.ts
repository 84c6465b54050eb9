import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(stdout).toContain('2 passed, 0 failed, 24 skipped');
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report.cases.find((c: { id: string }) => c.id === 'RNG-001').verdict).toBe('pass');
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuites name="onenet-ota-conformance"');
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('The device conforms.');
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
    expect(listed.stdout.trim().split('\n')).toHaveLength(26);
    const bad = await conformance(['--quirk', 'telepathy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown quirk telepathy');
  });
});
