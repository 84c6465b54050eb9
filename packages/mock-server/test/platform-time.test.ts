import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { runCli } from '../src/cli.ts';
import { demo } from '../src/index.ts';
import { sntpAnswer, startSntpServer } from '../src/sntp.ts';
import { startHarness } from './harness.ts';
import { header, rawExchange } from './raw-http.ts';

const twoDays = 48 * 3600 * 1000;
const chronyd = ['/usr/sbin/chronyd', '/sbin/chronyd'].find((path) => existsSync(path));
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('Date on every answer is platform time', () => {
  test('a device call, a door refusal and an unreadable request all carry the platform clock after a 48 h jump', async () => {
    const h = await startHarness({ seed: 'demo', clock: 'virtual' });
    stops.push(() => h.close());
    h.platform.clock.advance(twoDays);
    const expected = h.platform.clock.now();
    const near = (date: string | null | undefined) => Math.abs(Date.parse(date ?? '') - expected);
    const answered = await h.device.GET('/ota/south/check', {
      params: {
        query: { dev_id: demo.devId, manuf: demo.manuf, model: demo.model, type: 2, version: demo.fromVersion },
      },
    });
    expect(near(answered.response.headers.get('date'))).toBeLessThan(1000);
    // Node's own Date would be the machine's time, 48 h behind.
    const noHost = await rawExchange(h.url, 'GET /ota/south/check?dev_id=1 HTTP/1.1\r\n\r\n');
    expect(noHost.statusLine).toMatch(/ 400 /);
    expect(near(header(noHost, 'Date'))).toBeLessThan(1000);
    const unreadable = await rawExchange(h.url, 'get /ota/south/check?dev_id=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(unreadable.statusLine).toMatch(/ 400 /);
    expect(near(header(unreadable, 'Date'))).toBeLessThan(1000);
  });
});

describe('SNTP of platform time', () => {
  test('answers a request with platform time and echoes its transmit time; drops what is not a request', () => {
    const request = Buffer.alloc(48);
    request[0] = (4 << 3) | 3;
    request.writeUInt32BE(0xdeadbeef, 40);
    const at = Date.UTC(2026, 11, 8, 12, 0, 0, 500);
    const answer = sntpAnswer(request, at) as Buffer;
    expect(answer[0]).toBe((4 << 3) | 4);
    expect(answer[1]).toBe(1);
    expect(answer.readUInt32BE(24)).toBe(0xdeadbeef);
    expect((answer.readUInt32BE(40) - 2_208_988_800) * 1000 + (answer.readUInt32BE(44) / 2 ** 32) * 1000).toBeCloseTo(
      at,
      0,
    );
    const serverMode = Buffer.from(request);
    serverMode[0] = (4 << 3) | 4;
    expect(sntpAnswer(serverMode, at)).toBeUndefined();
    expect(sntpAnswer(request.subarray(0, 47), at)).toBeUndefined();
  });

  test('ota-mock --ntp-port tells platform time over UDP after a 48 h jump', async () => {
    const lines: string[] = [];
    const cli = await runCli(
      ['--port', '0', '--clock', 'virtual', '--ntp-port', '0', '--quiet'],
      (t) => void lines.push(t),
    );
    stops.push(cli.stop);
    expect(lines.join('')).toMatch(/SNTP: +udp:\/\/127\.0\.0\.1:\d+/);
    await fetch(`${cli.url}/__mock/clock/advance`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ms: twoDays }),
    });
    const platformNow = ((await (await fetch(`${cli.url}/__mock/clock`)).json()) as { epochMs: number }).epochMs;
    const socket = createSocket('udp4');
    const request = Buffer.alloc(48);
    request[0] = (3 << 3) | 3;
    const answer = await new Promise<Buffer>((resolve) => {
      socket.once('message', resolve);
      socket.send(request, cli.ntpPort as number, '127.0.0.1');
    });
    socket.close();
    expect(Math.abs((answer.readUInt32BE(40) - 2_208_988_800) * 1000 - platformNow)).toBeLessThan(1000);
  });

  test.runIf(chronyd)('chrony, a real NTP client, reads the 48 h jump as its clock offset (within 1 s)', async () => {
    const server = await startSntpServer({ clock: { now: () => Date.now() + twoDays }, port: 0 });
    stops.push(server.close);
    // -Q: measure the offset and print it without setting the clock; no config file, one server, one sample.
    const { stderr, stdout } = await promisify(execFile)(
      chronyd as string,
      ['-Q', '-t', '10', '-f', '/dev/null', `server 127.0.0.1 port ${server.port} iburst maxsamples 1`],
      { timeout: 15_000 },
    );
    const offset = Number(/wrong by (-?[\d.]+) seconds/.exec(stdout + stderr)?.[1]);
    expect(Math.abs(offset - twoDays / 1000)).toBeLessThan(1);
  });
});
