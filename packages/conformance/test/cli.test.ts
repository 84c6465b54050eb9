import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
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

/** Each case's verdict in the last run's report.json: what the console shows, read as data. */
async function verdicts(): Promise<Record<string, string>> {
  const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as {
    cases: { id: string; verdict: string }[];
  };
  return Object.fromEntries(report.cases.map((c) => [c.id, c.verdict]));
}

describe('ota-conformance', () => {
  it('judges the reference device, prints a line per case and writes three reports', async () => {
    const { code, stdout } = await conformance(['--cases', 'TOK-001,RNG-001']);
    expect(code).toBe(0);
    expect(await verdicts()).toMatchObject({ 'TOK-001': 'pass', 'RNG-001': 'pass' });
    // A partial run never says the device conforms.
    expect(stdout).toContain(
      '38 cases: 2 pass, 36 disabled — 36 not run: nothing failed in what ran, but a partial run does not show conformance',
    );
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report.cases.find((c: { id: string }) => c.id === 'RNG-001').verdict).toBe('pass');
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuites name="onenet-ota-conformance"');
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('A partial run: 36 not run');
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
    expect(await verdicts()).toMatchObject({ 'RNG-003': 'pass', 'RPT-003': 'pass' });
    expect(code).toBe(0);
  }, 30_000);

  it('fails a mutant (exit 1) unless its failure is an expected one', async () => {
    const failed = await conformance(['--cases', 'RNG-006', '--quirk', 'skip-md5']);
    expect(failed.code).toBe(1);
    expect(await verdicts()).toMatchObject({ 'RNG-006': 'fail' });
    const expected = join(dir, 'expected.json');
    await writeFile(expected, JSON.stringify({ 'RNG-006': 'md5 lands in 2.1' }));
    const forgiven = await conformance(['--cases', 'RNG-006', '--quirk', 'skip-md5', '--expected-failures', expected]);
    expect(forgiven.code).toBe(0);
    expect(forgiven.stdout).toContain('(expected: md5 lands in 2.1)');
  }, 30_000);

  it('passes nothing for a device that does nothing (`true`): MUSTs fail, SHOULDs and rules with nothing to judge skip', async () => {
    const { code, stdout } = await conformance(['--device-cmd', 'true']);
    expect(code).toBe(1);
    expect(Object.values(await verdicts()).filter((v) => v === 'pass')).toEqual([]);
    expect(stdout).toMatch(/^38 cases: 28 fail, 10 skip — does not conform$/m);
    expect(stdout).toContain('no evidence: the device never checked for a task (it made no request at all)');
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report.counts.pass).toBe(0);
  }, 60_000);

  it('refuses a device command whose program does not exist, on one line before any case runs', async () => {
    for (const command of ['./no-such-device {baseUrl}', 'OTA_X=1 no-such-device-anywhere --url {baseUrl}']) {
      const { code, stdout, stderr } = await conformance(['--device-cmd', command]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      // One line that says what is wrong (then the usual pointer to --help), no stack.
      expect(stderr.trim().split('\n')).toEqual([expect.any(String), 'Try ota-conformance --help.']);
      expect(stderr).toMatch(/^ota-conformance: --device-cmd: .*no-such-device.*(no such file|not a program)/);
    }
  }, 30_000);

  it('refuses a busy --port and a --report-dir it cannot write, on one line before any case runs', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    try {
      const cases: [string[], RegExp][] = [
        [
          ['--port', String(port)],
          new RegExp(`^ota-conformance: --port ${port}: another program listens on 127\\.0\\.0\\.1:${port}\n`),
        ],
        [['--report-dir', file], /^ota-conformance: --report-dir .*not-a-dir is a file, not a directory\n/],
        [
          ['--report-dir', join(file, 'reports')],
          /^ota-conformance: --report-dir .*not-a-dir\/reports cannot be written \(ENOTDIR\)\n/,
        ],
      ];
      for (const [args, message] of cases) {
        const started = performance.now();
        const { code, stdout, stderr } = await conformance(args);
        expect([args, code, stdout]).toEqual([args, 2, '']);
        expect(stderr).toMatch(message);
        expect(stderr.trim().split('\n')).toHaveLength(2);
        // Refused before the first case: no case's timeout was waited for.
        expect(performance.now() - started).toBeLessThan(15_000);
      }
    } finally {
      busy.close();
    }
  }, 60_000);

  it("gives error verdicts, the device's last words and a hint when the device command ends before any request", async () => {
    const { code, stdout } = await conformance([
      '--device-cmd',
      "sh -c 'echo cannot open /dev/ttyUSB0 >&2; exit 3'",
      '--cases',
      'RNG-00[1-3]',
    ]);
    expect(code).toBe(1);
    expect(await verdicts()).toMatchObject({ 'RNG-001': 'error', 'RNG-002': 'error', 'RNG-003': 'error' });
    expect(stdout).toContain('the device command exited 3 before its first request');
    expect(stdout).toContain('stderr: cannot open /dev/ttyUSB0');
    expect(stdout).toMatch(/^38 cases: 3 error, 35 disabled — does not conform$/m);
    expect(stdout).toMatch(/^hint: the device command never made a request in 3 case\(s\): .* Check --device-cmd\.$/m);
    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('errors="3"');
  }, 30_000);

  it.each([
    [['--cases', 'FOO-*'], '--cases FOO-* matches no rule; the rules are AUTH-001'],
    [['--exclude', 'RNG-0[1'], '"RNG-0[1" has a [ that is never closed'],
    [['--without', 'diff,teleport'], 'unknown capability teleport for --without; known: restart, diff, image'],
    [['--case-timeout', 'abc'], '--case-timeout must be a whole number of at least 1, got "abc"'],
    [['--type', 'cota'], '--type must be fota or sota, got cota'],
    [['--manuf', '12'], '--manuf "12" does not match ^[0-9]{3}$'],
    [['--fragment-size', '1'], '--fragment-size must be a whole number of at least 2, got "1"'],
    [['--expected-failures', '/no/such.json'], 'cannot read --expected-failures /no/such.json: ENOENT'],
    [['--device-clock', 'gps'], '--device-clock must be platform or own, got gps'],
  ])('refuses %j on one line with exit 2', async (args, message) => {
    const { code, stdout, stderr } = await conformance(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`ota-conformance: ${message}`);
    expect(stderr.trim().split('\n')).toHaveLength(2);
  });

  it('refuses an expected-failures file that is not JSON or names no rule', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{bad');
    expect((await conformance(['--expected-failures', broken])).stderr).toContain('is not JSON');
    const unknown = join(dir, 'unknown.json');
    await writeFile(unknown, JSON.stringify({ 'NOPE-001': 'why' }));
    const refused = await conformance(['--expected-failures', unknown]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('names no rule: NOPE-001');
  });

  it('takes --without diff and skips the differential cases', async () => {
    const { code } = await conformance(['--without', 'diff', '--cases', 'DIFF-*']);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    const diff001 = report.cases.find((c: { id: string }) => c.id === 'DIFF-001');
    expect(diff001).toMatchObject({ verdict: 'skip', findings: ['the device does not offer diff'] });
  });

  it('with --verbose, prints each request the device makes, with its case', async () => {
    const { code, stdout } = await conformance(['--verbose', '--cases', 'RNG-001']);
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((line) => line.startsWith('RNG-001 '));
    expect(lines.some((line) => / checkTask +version V1\.0 errno 0/.test(line))).toBe(true);
    expect(lines.some((line) => / downloadPackage +Range bytes=0-\d+ → 206 \d+ B/.test(line))).toBe(true);
    expect(lines.some((line) => / reportProgress +code 201 errno 0/.test(line))).toBe(true);
  }, 30_000);

  it('lists the rules, and refuses unknown flags with exit 2', async () => {
    const listed = await conformance(['--list']);
    expect(listed.stdout.trim().split('\n')).toHaveLength(38);
    const bad = await conformance(['--quirk', 'telepathy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown quirk telepathy');
  });
});
