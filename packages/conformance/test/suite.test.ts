import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { createDeviceClient } from '@onenet-ota/sdk';
import { listenForInform } from '@onenet-ota/sdk/node';
import { describe, expect, it } from 'vitest';
import {
  agentDevice,
  commandDevice,
  type DeviceDriver,
  type Evidence,
  judge,
  type Rule,
  rules,
  runConformance,
} from '../src/index.ts';
import { credentials } from '../src/scenario.ts';
import { failing, findings, mutantFragmentSize } from './mutants.ts';

const otaDeviceBin = new URL('../../sdk/bin/ota-device.ts', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the suite against the reference device', () => {
  it('passes every case with the SDK agent in process', async () => {
    const result = await runConformance({ device: agentDevice() });
    expect(failing(result), findings(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.cases).toHaveLength(rules.length);
  });

  it('passes every case with ota-device as a real process per case', async () => {
    const result = await runConformance({ device: commandDevice() });
    expect(failing(result), findings(result)).toEqual([]);
    const ran = result.cases.filter((c) => c.verdict !== 'skip');
    expect(ran.every((c) => c.device?.exitCode !== undefined)).toBe(true);
  }, 120_000);
});

describe.each(['studio', 'fuse'] as const)('the suite on %s', (generation) => {
  it('passes the reference agent, and skips what does not apply with the reason', async () => {
    const result = await runConformance({ device: agentDevice(), profile: { generation } });
    const notApplicable = (c: (typeof result.cases)[number]) =>
      c.verdict === 'skip' && c.findings[0]?.startsWith(`does not apply to ${generation}: `);
    expect(failing(result), findings(result)).toEqual([]);
    expect(result.ok).toBe(true);
    const skipped = result.cases.filter((c) => c.verdict === 'skip');
    expect(skipped.map((c) => c.id)).toEqual(expect.arrayContaining(['TOK-001', 'STRAT-002', 'RNG-005']));
    expect(skipped.filter((c) => !notApplicable(c)).map((c) => c.id)).toEqual(
      // Studio's agent ends its download with 101, never step 100: RPT-006 has nothing to judge.
      generation === 'studio' ? ['RPT-006'] : [],
    );
    const passed = result.cases.filter((c) => c.verdict === 'pass').map((c) => c.id);
    // Cancel is judged in every generation's words (Studio and the new platform: code 22, Ota-Errno 5, status 6).
    expect(passed).toEqual(expect.arrayContaining(['OTA-001', 'RNG-002', 'RNG-007', 'RPT-004', 'TOK-005', 'TOK-006']));
    expect(passed.includes('RPT-006')).toBe(generation === 'fuse');
    expect(passed.includes('MQTT-001')).toBe(generation === 'fuse');
  });

  // No source says what these generations answer a paused task: the mock's Ota-Errno 5 is inferred, so a device
  // that gives up on it (as the Studio SDK, which reads 5 as a cancel) is warned, not failed.
  it('warns a device that gives up on a paused task, and passes the one that waits', async () => {
    let judged: { rule: Rule; evidence: Evidence } | undefined;
    const result = await runConformance({
      device: agentDevice(),
      profile: { generation },
      cases: ['TOK-006'],
      onJudged: (rule, evidence) => {
        judged = { rule, evidence };
      },
    });
    expect(failing(result), findings(result)).toEqual([]);
    if (!judged) throw new Error('TOK-006 was not judged');
    const { rule, evidence } = judged;
    const refused = evidence.journal.filter((e) => e.response.headers['ota-errno'] === '5');
    expect(refused.length).toBeGreaterThanOrEqual(2);
    const gaveUp = judge(rule, {
      ...evidence,
      journal: evidence.journal.filter((e) => e.seq <= (refused[0]?.seq ?? 0)),
    });
    expect(gaveUp.verdict).toBe('warn');
    expect(gaveUp.findings[0]).toMatch(
      /^the device asked for the package 1 time\(s\) while paused \(first refused at #\d+\) and then stopped; .*\(SHOULD, not binding: no Studio or new-platform source describes a pause/,
    );
  });

  it.each([
    ['ignore-content-range', 'RNG-007'],
    ['restart-from-zero', 'RNG-002'],
    ['skip-md5', 'RNG-006'],
  ] as const)('%s fails %s there too', async (quirk, rule) => {
    const result = await runConformance({
      device: agentDevice({ quirks: [quirk], fragmentSize: mutantFragmentSize }),
      profile: { generation, fragmentSize: mutantFragmentSize },
      cases: [rule],
    });
    expect(failing(result)).toEqual([`${rule}:fail`]);
  });
});

describe('MQTT inform on the new platform', () => {
  it('passes ota-device --mqtt-url as a real process, and fails one that never listens', async () => {
    const profile = { generation: 'fuse' as const };
    const listening = await runConformance({ device: commandDevice(), profile, cases: ['MQTT-001'] });
    const judged = listening.cases.find((c) => c.id === 'MQTT-001');
    expect(judged?.verdict, findings(listening)).toBe('pass');
    expect(judged?.evidence).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^#\d+ answered ota\/inform on ota\/inform_reply in \d+ ms \(code 200\)$/),
      ]),
    );
    // The same device with the broker's address withheld: it checks once and stops, as a device without MQTT would.
    const deaf = await runConformance({
      device: commandDevice(`env -u OTA_MQTT_URL "${process.execPath}" ${otaDeviceBin}`),
      profile,
      cases: ['MQTT-001'],
    });
    expect(failing(deaf)).toEqual(['MQTT-001:fail']);
    // One platform and one broker for the run (a fixed port, as for a board on the bench): the same verdict.
    const shared = await runConformance({
      device: commandDevice(),
      profile,
      cases: ['MQTT-001'],
      port: await freePort(),
    });
    expect(shared.cases.find((c) => c.id === 'MQTT-001')?.verdict, findings(shared)).toBe('pass');
    expect(deaf.cases.find((c) => c.id === 'MQTT-001')?.findings).toContain(
      'no evidence: the platform published no ota/inform while the device listened',
    );
  }, 60_000);
});

/**
 * A device written elsewhere that checks only when informed (FUSE-C2 with its check period 0): it subscribes,
 * waits for ota/inform, answers it (listenForInform does) and checks once.
 */
const informOnly: DeviceDriver = {
  describe: 'a device that checks only when informed',
  lacks: [],
  clock: { follows: true, how: 'it runs in this process and signs nothing from the clock' },
  start(setup) {
    const done = (async () => {
      const listener = await listenForInform({
        url: setup.mqttUrl ?? '',
        productId: setup.productId,
        deviceName: setup.deviceName,
        accessKey: setup.deviceKey,
      });
      if (await listener.next(20_000)) {
        const device = createDeviceClient({
          generation: 'fuse',
          baseUrl: setup.baseUrl,
          productId: setup.productId,
          deviceName: setup.deviceName,
          accessKey: setup.deviceKey,
          fetch: (request) => setup.platform.fetch(request),
          now: setup.platform.clock.now,
        });
        await device.GET('/fuse-ota/{pro_id}/{dev_name}/check', {
          params: {
            path: { pro_id: setup.productId, dev_name: setup.deviceName },
            query: { type: setup.type, version: setup.version },
          },
        });
      }
      await listener.close();
      return { exitCode: 0, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0 };
    })();
    return { done, kill: async () => {} };
  },
};

describe('MQTT-001 and a device that waits for the inform alone', () => {
  it('passes it: the task starts once it has listened a while without checking', async () => {
    const result = await runConformance({ device: informOnly, profile: { generation: 'fuse' }, cases: ['MQTT-001'] });
    expect(result.cases.find((c) => c.id === 'MQTT-001')?.verdict, findings(result)).toBe('pass');
  }, 30_000);
});

/** AUTH-001 as judged for a device that is one `node -e` script, whose placeholders the suite fills in. */
async function judgedScript(script: string) {
  const result = await runConformance({
    device: commandDevice(`${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`),
    cases: ['AUTH-001'],
  });
  return result.cases.find((c) => c.verdict !== 'disabled');
}

describe('a device whose request HTTP cannot read', () => {
  it('fails, and the case names the request and what is wrong with it', async () => {
    // A lower-case method, which neither Node nor OneNET's nginx reads: one request, then it gives up.
    const script = [
      "const s = require('node:net').connect(new URL('{baseUrl}').port, '127.0.0.1');",
      "s.write('get /ota/south/check?dev_id={devId} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n');",
      "s.on('close', () => process.exit(1)); s.resume();",
    ].join(' ');
    const judged = await judgedScript(script);
    expect(judged?.verdict).toBe('fail');
    expect(judged?.findings.join('\n')).toMatch(
      /the platform could not take request #\d+ \(get \/ota\/south\/check → 400\): .*methods are upper case/,
    );
    expect(judged?.transcript.some((e) => e.operation === null && e.response.status === 400)).toBe(true);
  }, 60_000);
});

describe('a device that calls a path OneNET does not have', () => {
  it('fails, and the case names the call and the path', async () => {
    // A device with a typo in its check path: one request, then it gives up. The suite fills in the placeholders.
    const script = "fetch('{baseUrl}/ota/south/chek?dev_id={devId}').then(() => process.exit(1))";
    const judged = await judgedScript(script);
    expect(judged?.verdict).toBe('fail');
    expect(judged?.findings.join('\n')).toContain('the platform could not take request #');
    expect(judged?.findings.join('\n')).toMatch(
      /\(GET \/ota\/south\/chek → 404\): no operation answers GET \/ota\/south\/chek/,
    );
  }, 60_000);
});

describe('a device whose Content-Length counts bytes it never sends', () => {
  it('fails, and the case says how far the body got', async () => {
    // A progress report announcing 13 bytes and sending 11 (a `\r\n` counted that never goes out); the device gives
    // up after 300 ms and closes, as firmware with a short receive timeout does.
    const request = [
      'POST /ota/south/device/download/ota_x/progress?dev_id={devId} HTTP/1.1',
      'Host: ota.heclouds.com',
      'Content-Type: application/json',
      'Content-Length: 13',
      '',
      '{"step":10}',
    ].join('\r\n');
    const script = [
      "const u = new URL('{baseUrl}');",
      `const s = require('node:net').connect(+u.port, u.hostname, () => s.write(${JSON.stringify(request)}));`,
      'setTimeout(() => { s.destroy(); process.exit(1); }, 300);',
    ].join(' ');
    const judged = await judgedScript(script);
    expect(judged?.verdict).toBe('fail');
    expect(judged?.findings.join('\n')).toMatch(
      /the platform could not take request #\d+ \(POST \/ota\/south\/device\/download\/ota_x\/progress → 408\): 11 of the 13 bytes its Content-Length announced came, then the connection closed/,
    );
  }, 60_000);
});

describe('a device judged in another generation than it speaks', () => {
  it('is told so first, in every case, instead of findings about faults that never reached it', async () => {
    // ota-device speaking Studio's API (/ota/{pid}/{name}/…), judged as a legacy device.
    const studio = {
      OTA_GENERATION: 'studio',
      OTA_DEVICE_NAME: credentials.deviceName,
      OTA_ACCESS_KEY: credentials.deviceKey,
    };
    const result = await runConformance({
      device: commandDevice(undefined, { env: studio }),
      cases: ['REQ-001', 'RNG-002'],
    });
    const run = result.cases.filter((c) => c.verdict !== 'disabled');
    expect(run.map((c) => `${c.id}:${c.verdict}`)).toEqual(['REQ-001:error', 'RNG-002:error']);
    for (const c of run)
      expect(c.findings[0]).toMatch(
        /^the device speaks another generation's API: \d+ of its requests went to studio's paths, first #\d+ POST \/ota\/[^/]+\/dut\/version; it is judged as legacy: run with --generation studio$/,
      );
  }, 60_000);
});

describe('a case that times out mid-download', () => {
  it('says how far the device got and what --case-timeout its pace needs', async () => {
    // ota-device fetching 16-byte fragments of a package sized for 4 KiB ones: hundreds of requests.
    const result = await runConformance({
      device: commandDevice(undefined, { env: { OTA_FRAGMENT_SIZE: '16' } }),
      cases: ['RPT-003'],
      caseTimeoutMs: 2000,
    });
    const [judged] = result.cases.filter((c) => c.verdict !== 'disabled');
    expect(judged?.verdict).toBe('timeout');
    expect(judged?.findings[0]).toMatch(
      /^the device had not finished after 2 s: it had received \d+ of the \d+-byte package in \d+ downloads \(about 16 bytes each\); at that pace it needs about \d+ s: give it longer with --case-timeout \d+, or fetch larger fragments$/,
    );
  }, 60_000);
});
