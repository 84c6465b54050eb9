import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLibfaketime } from '../src/drivers/device-clock.ts';
import { commandDevice, runConformance } from '../src/index.ts';
import { buildCDevice } from './c-device.ts';
import { cMutants, failing, findings, mutantFragmentSize } from './mutants.ts';

// The suite proven on a device that shares no code with the SDK's agent: C99, POSIX sockets, built by gcc.
let dir: string;
let reference: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-device-c-'));
  reference = await buildCDevice(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// Once per mutant: two entries of the matrix share a binary, and run side by side.
const builds = new Map<string, Promise<string>>();
const build = (mutant: string) => {
  if (!builds.has(mutant)) builds.set(mutant, buildCDevice(dir, mutant));
  return builds.get(mutant) as Promise<string>;
};

describe('the C reference device', () => {
  it('passes every rule as an MCU application (SOTA)', async () => {
    const result = await runConformance({ device: commandDevice(reference) });
    expect(failing(result), findings(result)).toEqual([]);
  }, 60_000);

  it('passes every rule as a module firmware (FOTA, Quectel BC28)', async () => {
    const result = await runConformance({
      device: commandDevice(reference),
      profile: { type: 1, manuf: '014', model: '01401', version: 'BC28JAR01A01' },
    });
    expect(failing(result), findings(result)).toEqual([]);
    expect(result.cases[0]?.transcript.find((e) => e.operation === 'checkTask')?.request.query).toMatchObject({
      type: '1',
      manuf: '014',
      model: '01401',
    });
  }, 60_000);
});

describe('the C reference device and LZMA secondary compression', () => {
  it('fails DIFF-001 on vcdiff-lzma, told the format and that --diff-format vcdiff is what it restores', async () => {
    const result = await runConformance({
      device: commandDevice(reference),
      cases: ['DIFF-001'],
      diff: { format: 'vcdiff-lzma' },
    });
    const diff = result.cases.find((c) => c.id === 'DIFF-001');
    expect(diff?.verdict).toBe('fail');
    expect(diff?.findings.at(-1)).toMatch(
      /^the patch served was vcdiff-lzma \(the built-in generator, with xdelta3's LZMA secondary compression: a decoder without LZMA2 restores only --diff-format vcdiff\)/,
    );
  }, 60_000);
});

describe('a C device that asks for its last byte alone', () => {
  it('fails RNG-001, and the finding says what the platform made of the range', async () => {
    const result = await runConformance({ device: commandDevice(await build('ONE_BYTE_RANGE')), cases: ['RNG-001'] });
    const rng = result.cases.find((c) => c.id === 'RNG-001');
    expect(rng?.verdict).toBe('fail');
    expect(rng?.findings.join('\n')).toMatch(
      /Range "bytes=(\d+)-\1" asks for fewer than 2 bytes; the platform: one byte is below OneNET's smallest fragment of 2 bytes: the whole file \(200/,
    );
  }, 60_000);
});

describe('a C device whose HTTP lines end with LF alone', () => {
  it("upgrades, as it would against OneNET's nginx, and REQ-002 warns with the first such request", async () => {
    const binary = await build('LF_ONLY');
    const result = await runConformance({ device: commandDevice(binary), cases: ['REQ-002', 'RPT-003'] });
    const run = result.cases.filter((c) => c.verdict !== 'disabled');
    expect(run.map((c) => `${c.id}:${c.verdict}`)).toEqual(['REQ-002:warn', 'RPT-003:pass']);
    expect(run[0]?.findings.join('\n')).toMatch(
      /^(\d+) of its \1 request\(s\) end their lines with LF alone, first #\d+ \((GET|POST) \/ota\/[^)]+\)/,
    );
  }, 60_000);
});

// A device that signs `et` an hour after its own clock (what firmware with NTP does) is right exactly when its clock
// shows platform time; run on the platform's clock through libfaketime, it renews across the 48 h jump.
describe.runIf(findLibfaketime())('a C device signing et from its clock (libfaketime installed)', () => {
  const judged = async (mutant: string, clock: 'platform' | 'own') => {
    const result = await runConformance({
      device: commandDevice(await build(mutant), { clock }),
      cases: ['AUTH-002', 'TOK-003'],
    });
    return result.cases.filter((c) => c.verdict !== 'disabled');
  };

  it('passes AUTH-002 and TOK-003 when its clock follows the platform', async () => {
    const run = await judged('HOUR_ET', 'platform');
    expect(
      run.map((c) => `${c.id}:${c.verdict}`),
      run.flatMap((c) => c.findings).join('\n'),
    ).toEqual(['AUTH-002:pass', 'TOK-003:pass']);
  }, 60_000);

  it("fails AUTH-002 on its own clock, and the finding says its clock is not the platform's", async () => {
    const [auth, tok] = await judged('HOUR_ET', 'own');
    expect(auth?.verdict).toBe('fail');
    expect(auth?.findings[0]).toMatch(/s before the platform's time.*its clock does not show platform time/);
    // The token check never got to answer 12: TOK-003 names what stopped it.
    expect(tok?.findings[0]).toMatch(/never made a token check answer 12: the platform refused the device's own/);
  }, 60_000);

  it('a fixed one-hour token fails AUTH-002 with "never renewed" although its clock follows', async () => {
    const [auth] = await judged('STALE_ET', 'platform');
    expect(auth?.verdict).toBe('fail');
    expect(auth?.findings[0]).toMatch(
      /the same token it sent at #\d+, before the clock moved 48 h at #\d+.*never renewed/,
    );
  }, 60_000);
});

describe.concurrent('C mutants', () => {
  it.each(Object.entries(cMutants))(
    '%s fails exactly %j',
    async (name, { fragmentSize = mutantFragmentSize, exclude = [], fails }) => {
      const binary = await build(name.split(' ')[0] as string);
      const result = await runConformance({
        device: commandDevice(`${binary} --fragment-size ${fragmentSize}`),
        profile: { fragmentSize },
        exclude,
      });
      expect(failing(result), findings(result)).toEqual([...fails].sort());
    },
    60_000,
  );
});
