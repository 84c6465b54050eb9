import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { md5Hex } from '@onenet-ota/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo, demoImage } from '../src/index.ts';
import { otaDeviceBin } from './harness.ts';

// `ota-mock --tls` as a real process, the SDK's `ota-device` as real processes trusting its CA over real TLS.
const mockBin = new URL('../bin/ota-mock.ts', import.meta.url).pathname;

let dir: string;
let caDir: string;
const children: ChildProcess[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ota-tls-'));
  caDir = join(dir, 'ca');
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c));
  child.stderr?.on('data', (c: Buffer) => (stderr += c));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, output: () => stdout };
}

/** Starts `ota-mock --tls`; resolves with its HTTP and HTTPS URLs and everything it printed. */
async function startMock(extra: string[] = []) {
  const mock = run(mockBin, ['--port', '0', '--tls', '--tls-port', '0', '--tls-ca-dir', caDir, '--quiet', ...extra]);
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (!/Ctrl-C stops/.test(mock.output())) return;
      clearInterval(timer);
      resolve();
    }, 20);
    void mock.done.then(({ code, stderr }) => {
      clearInterval(timer);
      reject(new Error(`ota-mock exited ${code}: ${stderr}`));
    });
  });
  const printed = mock.output();
  return {
    printed,
    http: printed.match(/listening on (http:\/\/\S+)/)?.[1] ?? '',
    https: printed.match(/HTTPS: +(https:\/\/\S+)/)?.[1] ?? '',
  };
}

const caFile = () => join(caDir, 'ca.pem');

function device(baseUrl: string, generation: 'legacy' | 'studio' | 'fuse', extra: string[] = []) {
  const named = generation === 'legacy' ? [] : ['--device-name', demo.deviceName];
  const key = generation === 'legacy' ? demo.productKey : demo.deviceKey;
  return run(otaDeviceBin, ['--generation', generation, ...named, '--access-key', key, ...extra], {
    OTA_BASE_URL: baseUrl,
    OTA_PRODUCT_ID: demo.productId,
    OTA_DEV_ID: String(demo.devId),
    OTA_MANUF: demo.manuf,
    OTA_MODEL: demo.model,
    OTA_VERSION: demo.fromVersion,
    OTA_FRAGMENT_SIZE: '16384',
  }).done;
}

/** One HTTPS GET with this CA and SNI name; the status, or the TLS error's code. */
function get(url: string, ca: string | undefined, servername: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { ...(ca ? { ca } : {}), servername }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

describe('ota-mock --tls', () => {
  it('creates a CA once, serves HTTPS beside HTTP, and every generation upgrades over it with ota-device --ca', async () => {
    const mock = await startMock();
    expect(mock.printed).toContain(`the device must trust ${caFile()} (new CA: flash it into the device)`);
    expect(mock.https).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    for (const generation of ['fuse', 'studio', 'legacy'] as const) {
      // Each generation starts from the demo seed: the device on V1.0 with one running task.
      expect(
        (
          await fetch(`${mock.http}/__mock/reset`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: '{"seed":"demo"}',
          })
        ).status,
      ).toBe(200);
      const output = join(dir, `${generation}.bin`);
      const { code, stdout, stderr } = await device(mock.https, generation, ['--ca', caFile(), '--output', output]);
      expect([generation, code, stderr]).toEqual([generation, 0, '']);
      expect(JSON.parse(stdout)).toMatchObject({ outcome: 'upgraded', target: 'V2.0' });
      expect(md5Hex(readFileSync(output))).toBe(md5Hex(demoImage(demo.packageSize)));
    }
  }, 60_000);

  it('is real TLS: a device without the CA is refused at the handshake, and OneNET host names verify', async () => {
    const mock = await startMock();
    const untrusting = await device(mock.https, 'fuse');
    expect(untrusting.code).toBe(1);
    // The device says why, in the TLS stack's own words.
    expect(JSON.parse(untrusting.stdout)).toMatchObject({
      outcome: 'error',
      detail: expect.stringMatching(
        /^check failed: fetch failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE unable to verify the first certificate/,
      ),
    });
    expect(untrusting.stderr).toContain("the platform's TLS certificate is not trusted here; pass its CA with --ca");
    const legacy = await device(mock.https, 'legacy');
    expect(JSON.parse(legacy.stdout).detail).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const ca = readFileSync(caFile(), 'utf8');
    const path = `${mock.https}/fuse-ota/${demo.productId}/${demo.deviceName}/check?type=2&version=V1.0`;
    // A device with a hosts entry for iot-api.heclouds.com checks that name against the certificate.
    expect(await get(path, ca, 'iot-api.heclouds.com')).toBe(200);
    expect(await get(path, ca, 'studio-ota.heclouds.com')).toBe(200);
    expect(await get(path, ca, 'example.com')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await get(path, undefined, 'iot-api.heclouds.com')).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  }, 60_000);

  it('serves a device whose lines end with LF alone over TLS as over plain HTTP (the first line is read decrypted)', async () => {
    const mock = await startMock();
    const { hostname, port } = new URL(mock.https);
    const path = `/fuse-ota/${demo.productId}/${demo.deviceName}/check?type=2&version=V1.0`;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: hostname, port: Number(port), ca: readFileSync(caFile(), 'utf8') }, () =>
        socket.write(`GET ${path} HTTP/1.1\nHost: iot-api.heclouds.com\nConnection: close\n\n`),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  }, 60_000);

  it('reuses the CA on the next start, so a device flashed once keeps trusting the platform', async () => {
    const before = readFileSync(caFile(), 'utf8');
    const mock = await startMock();
    expect(mock.printed).toContain(`the device must trust ${caFile()}\n`);
    expect(readFileSync(caFile(), 'utf8')).toBe(before);
    const { code, stdout } = await device(mock.https, 'fuse', ['--ca', caFile()]);
    expect([code, JSON.parse(stdout).outcome]).toEqual([0, 'upgraded']);
  }, 60_000);

  it('serves MQTT over TLS beside HTTPS: ota-device connects with mqtts:// and the same CA', async () => {
    const mock = await startMock(['--mqtt-port', '0', '--mqtts-port', '0']);
    const mqtts = mock.printed.match(/MQTT: +mqtt:\/\/\S+ and (mqtts:\/\/\S+)/)?.[1] ?? '';
    expect(mqtts).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const { code, stdout } = await device(mock.https, 'fuse', ['--ca', caFile(), '--mqtt-url', mqtts]);
    expect([code, JSON.parse(stdout).outcome]).toEqual([0, 'upgraded']);
    const journal = (await (await fetch(`${mock.http}/__mock/journal?operation=mqttConnect`)).json()) as {
      entries: { response: { status: number }; request: { headers: Record<string, string> } }[];
    };
    expect(journal.entries.map((e) => [e.request.headers['client-id'], e.response.status])).toEqual([
      [demo.deviceName, 0],
    ]);
  }, 60_000);

  it('serves a certificate it is given, and says in one line what is wrong with the flags', async () => {
    const issued = join(dir, 'ca');
    const missing = await run(mockBin, ['--port', '0', '--tls-cert', join(issued, 'ca.pem')]).done;
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([
      2,
      'ota-mock: --tls-cert and --tls-key go together',
    ]);
    const absent = await run(mockBin, [
      '--port',
      '0',
      '--tls-cert',
      join(dir, 'no.pem'),
      '--tls-key',
      join(dir, 'no.pem'),
    ]).done;
    expect([absent.code, absent.stderr.split('\n')[0]]).toEqual([
      2,
      `ota-mock: --tls-cert ${join(dir, 'no.pem')}: ENOENT`,
    ]);
    // The CA's own certificate with another key: the pair does not match.
    const mismatched = await run(mockBin, [
      '--port',
      '0',
      '--tls-cert',
      caFile(),
      '--tls-key',
      join(dir, 'ca', 'ca-key.pem').replace('ca-key', 'ca'),
    ]).done;
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr.split('\n')[0]).toMatch(/^ota-mock: --tls-cert\/--tls-key: /);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const badCa = await device('https://127.0.0.1:9', 'fuse', ['--ca', notPem]);
    expect([badCa.code, badCa.stderr.split('\n')[0]]).toEqual([2, `ota-device: --ca ${notPem}: not a PEM certificate`]);
  }, 60_000);
});
