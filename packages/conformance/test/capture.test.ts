import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { demo, type JournalEntry } from '@onenet-ota/mock-server';
import { loadSpec } from '@onenet-ota/openapi';
import { createSpecValidator } from '@onenet-ota/openapi/document';
import { createDeviceClient, type FetchLike, OtaAgent, type OtaAgentOptions } from '@onenet-ota/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { judgeCapture } from '../src/capture/judge-capture.ts';
import { passiveOrWhy } from '../src/capture/passive.ts';
import { readCapture } from '../src/capture/read-capture.ts';
import { agentDevice, deviceProfile, rules, runConformance, withQuirks } from '../src/index.ts';

// A session with a stand-in for OneNET, recorded through `ota-mock --upstream`, judged and compared with the mock
// by the real CLI: every platform and the proxy are processes of their own, as on a bench.

const run = promisify(execFile);
const otaMock = new URL('../../mock-server/bin/ota-mock.ts', import.meta.url).pathname;
const otaConformance = new URL('../bin/ota-conformance.ts', import.meta.url).pathname;
let dir: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-capture-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** Starts `ota-mock` with these flags; resolves with its URL once it listens. */
async function startOtaMock(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [otaMock, '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Control API')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`ota-mock exited with ${code}: ${output}`)));
  });
  return /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
}

const cli = (args: string[]) =>
  run(process.execPath, [otaConformance, ...args], { maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

/** The reference agent against a platform, legacy, with the demo device's credentials; quirks make it a mutant. */
function agent(baseUrl: string, quirks: Parameters<typeof withQuirks>[1] = [], fetch?: FetchLike): OtaAgent {
  const options: OtaAgentOptions = {
    client: { baseUrl, productId: demo.productId, accessKey: demo.productKey, ...(fetch ? { fetch } : {}) },
    devId: demo.devId,
    type: 2,
    manuf: demo.manuf,
    model: demo.model,
    version: demo.fromVersion,
    install: async (chunks) => {
      for await (const _ of chunks);
    },
  };
  return new OtaAgent(withQuirks(options, quirks));
}

/** Records a session of `device` through a proxy in front of `field`, and saves the proxy's journal. */
async function record(field: string, device: (proxy: string) => Promise<unknown>, name: string): Promise<string> {
  const proxy = await startOtaMock(['--upstream', field]);
  await device(proxy);
  const file = join(dir, name);
  await writeFile(file, await (await fetch(`${proxy}/__mock/journal`)).text());
  return file;
}

const verdictsOf = async (reportDir: string) =>
  Object.fromEntries(
    (
      JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')) as { cases: { id: string; verdict: string }[] }
    ).cases.map((c) => [c.id, c.verdict]),
  );

const passive = rules.filter((rule) => passiveOrWhy(rule, deviceProfile()) === true).map((rule) => rule.id);

describe('a session recorded through ota-mock --upstream', () => {
  it('is journaled as answered, in the spec’s schema, marked with its upstream', async () => {
    const field = await startOtaMock([]);
    const file = await record(field, (proxy) => agent(proxy).run(), 'plain.json');
    const { entries } = JSON.parse(await readFile(file, 'utf8')) as { entries: JournalEntry[] };
    const validate = createSpecValidator(loadSpec()).schema('JournalEntry');
    for (const entry of entries) expect(validate(entry), JSON.stringify(validate.errors)).toBe(true);
    expect(new Set(entries.map((e) => e.upstream))).toEqual(new Set([new URL(field).origin]));
    // What the field answered, as the device got it: the task check's envelope, package bytes by md5.
    const check = entries.find((e) => e.operation === 'checkTask');
    expect(check).toMatchObject({ devId: demo.devId, errno: 0, auth: 'accepted', response: { status: 200 } });
    const fragment = entries.find((e) => e.operation === 'downloadPackage');
    expect(fragment).toMatchObject({ devId: demo.devId, errno: 0, response: { status: 206 } });
    expect(fragment?.response.body?.md5).toMatch(/^[0-9a-f]{32}$/);
    // Kept as sent, so a capture can be judged: the sign is there.
    expect(check?.request.headers.authorization).toMatch(/&sign=[^<]/);
  });

  it.each([
    ['the reference device', [] as const],
    ['a device that reports 201 without 101', ['skip-101'] as const],
  ])('judged, gives %s the verdicts a live run gives it on every passive rule', async (_name, quirks) => {
    const field = await startOtaMock([]);
    const file = await record(field, (proxy) => agent(proxy, [...quirks]).run(), `judged-${quirks.length}.json`);
    const reportDir = join(dir, `judge-${quirks.length}`);
    const judged = await cli(['judge', file, '--report-dir', reportDir]);
    expect(judged.code, judged.stderr).toBe(quirks.length === 0 ? 0 : 1);
    const fromCapture = await verdictsOf(reportDir);
    const live = await runConformance({ device: agentDevice({ quirks: [...quirks] }), cases: passive });
    const fromLive = Object.fromEntries(live.cases.filter((c) => passive.includes(c.id)).map((c) => [c.id, c.verdict]));
    // Rules that need a step 100 skip on both; every other passive rule judges alike.
    expect(Object.fromEntries(passive.map((id) => [id, fromCapture[id]]))).toEqual(fromLive);
    if (quirks.length > 0) expect(fromLive['RPT-002']).toBe('fail');
    // Every other rule says why it needs the live platform.
    const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')) as {
      cases: { id: string; verdict: string; findings: string[] }[];
    };
    for (const c of report.cases.filter((c) => !passive.includes(c.id)))
      expect([c.id, c.verdict, c.findings[0]]).toEqual([
        c.id,
        'skip',
        expect.stringMatching(/needs the live platform|does not apply/),
      ]);
  });

  it('drift lists exactly the differences planted in the field, each with the record it bears on', async () => {
    // The field answers a Range from the end 416 (RFC 9110) and frames its JSON in chunks: two differences.
    const field = await startOtaMock(['--range-dialect', 'rfc9110']);
    await fetch(`${field}/__mock/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ match: {}, action: { kind: 'chunked' }, times: null }),
    });
    const file = await record(
      field,
      async (proxy) => {
        // A device that probes the end of the package before it downloads, then upgrades.
        const device = createDeviceClient({ baseUrl: proxy, productId: demo.productId, accessKey: demo.productKey });
        const check = await device.GET('/ota/south/check', {
          params: {
            query: { dev_id: demo.devId, manuf: demo.manuf, model: demo.model, type: 2, version: demo.fromVersion },
          },
        });
        const token = check.data?.data?.token ?? '';
        const probe = await fetch(`${proxy}/ota/south/download/${token}`, {
          headers: { Range: `bytes=${demo.packageSize}-` },
        });
        expect(probe.status).toBe(416);
        await probe.arrayBuffer();
        await agent(proxy).run();
      },
      'drift.json',
    );
    const drifted = await cli(['drift', file, '--json']);
    expect(drifted.code, drifted.stderr).toBe(1);
    const { drifts } = JSON.parse(drifted.stdout) as {
      drifts: { aspect: string; recorded: string; mock: string; bearsOn: string; calls: { operation: string }[] }[];
    };
    expect(drifts.map((d) => [d.aspect, d.recorded, d.mock])).toEqual([
      ['framing', 'chunked', 'Content-Length'],
      [
        'status',
        `416 text/plain bytes */${demo.packageSize}`,
        `206 application/octet-stream bytes 0-${demo.packageSize - 1}/${demo.packageSize} errno 0`,
      ],
    ]);
    expect(drifts.map((d) => d.bearsOn.split(' ').slice(0, 2).join(' '))).toEqual(['DECISIONS 74', 'DECISIONS 9']);
    // The same session against a field that answers as the mock does drifts nowhere.
    const plain = await record(await startOtaMock([]), (proxy) => agent(proxy).run(), 'no-drift.json');
    const none = await cli(['drift', plain]);
    expect([none.code, none.stdout]).toEqual([
      0,
      expect.stringContaining('none: every recorded answer is what the mock answers'),
    ]);
  });
});

describe('a capture of several devices', () => {
  it('is refused without --device, naming them, and judged for the one named', async () => {
    const field = await startOtaMock([]);
    const second = (await (
      await fetch(`${field}/api/v1/products/${demo.productId}/devices`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'second-board' }),
      })
    ).json()) as { devId: number };
    const file = await record(
      field,
      async (proxy) => {
        await agent(proxy).run();
        // Another board of the product checks too: it has no task.
        const other = createDeviceClient({ baseUrl: proxy, productId: demo.productId, accessKey: demo.productKey });
        await other.GET('/ota/south/check', {
          params: { query: { dev_id: second.devId, manuf: demo.manuf, model: demo.model, type: 2, version: 'V1.0' } },
        });
      },
      'two.json',
    );
    const mixed = await cli(['judge', file, '--report-dir', join(dir, 'two-mixed')]);
    expect([mixed.code, mixed.stderr.split('\n')[0]]).toEqual([
      2,
      `ota-conformance: the capture holds 2 devices (${demo.devId}, ${second.devId}): name one with --device`,
    ]);
    const named = await cli(['judge', file, '--device', String(demo.devId), '--report-dir', join(dir, 'two-named')]);
    expect(named.code, named.stderr).toBe(0);
    expect((await verdictsOf(join(dir, 'two-named')))['RPT-002']).toBe('pass');
  });
});

describe('a session on the new platform', () => {
  it('drift names the token rule a field taking product-level tokens settles', async () => {
    // The field takes a product-level token on /fuse-ota (the lenient rules); the mock refuses it by default.
    const field = await startOtaMock(['--token-rules', 'lenient']);
    const file = await record(
      field,
      async (proxy) => {
        const client = createDeviceClient({
          generation: 'fuse',
          baseUrl: proxy,
          productId: demo.productId,
          accessKey: demo.productKey,
        });
        const result = await new OtaAgent({
          client,
          generation: 'fuse',
          device: { productId: demo.productId, deviceName: demo.deviceName },
          type: 2,
          version: demo.fromVersion,
          install: async (chunks) => {
            for await (const _ of chunks);
          },
        }).run();
        expect(result.outcome).toBe('upgraded');
      },
      'fuse.json',
    );
    const drifted = await cli(['drift', file, '--json']);
    const { drifts } = JSON.parse(drifted.stdout) as {
      drifts: { aspect: string; recorded: string; mock: string; bearsOn: string }[];
    };
    expect(drifts.map((d) => [d.aspect, d.recorded, d.mock, d.bearsOn.split(' ').slice(0, 2).join(' ')])).toEqual([
      ['auth', 'accepted', 'refused', 'DECISIONS 82'],
    ]);
    // Judged, the session warns of the token the field is known to refuse, read off the tokens the device sent.
    const reportDir = join(dir, 'fuse-judged');
    await cli(['judge', file, '--report-dir', reportDir]);
    expect((await verdictsOf(reportDir))['AUTH-003']).toBe('warn');
  });
});

describe('a HAR file', () => {
  it('as mitmproxy exports one for a small upgrade, is judged', async () => {
    const field = await startOtaMock([]);
    const har = {
      log: { version: '1.2', creator: { name: 'mitmproxy', version: '11.0.0' }, entries: [] as unknown[] },
    };
    const recording: FetchLike = async (request) => {
      const started = new Date();
      const sent = request.method === 'GET' ? undefined : await request.clone().text();
      const response = await fetch(request);
      const bytes = new Uint8Array(await response.clone().arrayBuffer());
      const type = response.headers.get('content-type') ?? '';
      const url = new URL(request.url);
      har.log.entries.push({
        startedDateTime: started.toISOString(),
        time: Date.now() - started.getTime(),
        request: {
          method: request.method,
          url: request.url,
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers: [...request.headers].map(([name, value]) => ({ name, value })),
          queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
          ...(sent ? { postData: { mimeType: request.headers.get('content-type') ?? '', text: sent } } : {}),
          headersSize: -1,
          bodySize: sent?.length ?? 0,
        },
        response: {
          status: response.status,
          statusText: response.statusText,
          httpVersion: 'HTTP/1.1',
          cookies: [],
          headers: [...response.headers].map(([name, value]) => ({ name, value })),
          content: type.includes('json')
            ? { size: bytes.length, mimeType: type, text: new TextDecoder().decode(bytes) }
            : { size: bytes.length, mimeType: type, text: Buffer.from(bytes).toString('base64'), encoding: 'base64' },
          redirectURL: '',
          headersSize: -1,
          bodySize: bytes.length,
        },
        cache: {},
        timings: { send: 0, wait: 0, receive: 0 },
      });
      return response;
    };
    expect((await agent(field, [], recording).run()).outcome).toBe('upgraded');
    const file = join(dir, 'session.har');
    await writeFile(file, JSON.stringify(har));
    const capture = await readCapture(file);
    expect(capture.format).toBe('har');
    const result = judgeCapture(capture);
    const judged = Object.fromEntries(result.cases.map((c) => [c.id, c.verdict]));
    expect(passive.filter((id) => judged[id] !== 'pass' && judged[id] !== 'skip')).toEqual([]);
    expect(['AUTH-001', 'TOK-001', 'TOK-002', 'RNG-001', 'RPT-002', 'RPT-005'].map((id) => judged[id])).toEqual(
      Array(6).fill('pass'),
    );
  });

  it.each([
    [
      'truncated',
      (text: string) => text.slice(0, text.length - 40),
      /^ota-conformance: \S+: not JSON, line 1 column \d+: .*\(the file ends there: truncated\?\)$/,
    ],
    [
      'not HAR',
      (text: string) => text.replace('"entries"', '"entrees"'),
      /^ota-conformance: \S+: not a HAR 1\.2 file: \/log must have required property 'entries'$/,
    ],
  ])('that is %s gets one line naming where it broke, exit 2, and no report', async (_name, spoil, message) => {
    const spoiled = join(dir, `spoiled-${_name.replace(' ', '-')}.har`);
    await writeFile(spoiled, spoil(await readFile(join(dir, 'session.har'), 'utf8')));
    const reportDir = join(dir, `never-${_name.replace(' ', '-')}`);
    const judged = await cli(['judge', spoiled, '--report-dir', reportDir]);
    expect(judged.code).toBe(2);
    expect(judged.stderr.split('\n')[0]).toMatch(message);
    expect(judged.stderr).not.toMatch(/\n\s+at /);
    await expect(stat(join(reportDir, 'report.json'))).rejects.toThrow();
  });
});
