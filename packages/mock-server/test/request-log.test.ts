import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.ts';
import { demo } from '../src/index.ts';
import { requestLine } from '../src/request-log.ts';
import { checkDemoToken, demoToken, startHarness, step } from './harness.ts';
import { rawExchange } from './raw-http.ts';

// `ota-mock` prints a line per request as it completes: what a firmware engineer watches while the board talks.

async function withCli(args: string[], run: (url: string) => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  // The log writes its lines together, a turn of the event loop's worth at a time: read back line by line.
  const cli = await runCli(['--port', '0', '--clock', 'virtual', ...args], (text) =>
    lines.push(...text.split(/(?<=\n)/)),
  );
  try {
    await run(cli.url ?? '');
    await new Promise((resolve) => setTimeout(resolve, 20)); // a streamed body completes after the client reads it
  } finally {
    await cli.stop();
  }
  return lines;
}

describe('the request log', () => {
  it('prints the same line from the cheap view of a call as from its whole journal entry', async () => {
    const h = await startHarness({ seed: 'demo' });
    const fromEntries: string[] = [];
    const fromViews: string[] = [];
    h.platform.journal.onComplete((entry) => fromEntries.push(requestLine(entry)));
    h.platform.journal.onCompleteLogged((entry) => fromViews.push(requestLine(entry)));
    try {
      const token = await demoToken(h);
      await checkDemoToken(h, token);
      await fetch(`${h.url}/ota/south/download/${token}`, { headers: { Range: '0-99' } }).then((r) => r.arrayBuffer());
      await fetch(`${h.url}/ota/south/download/${token}`, { headers: { Range: '70000-70100' } }).then((r) =>
        r.arrayBuffer(),
      );
      await step(h, token, 10);
      await fetch(`${h.url}/ota/south/check?dev_id=${demo.devId}&type=2&version=V1.0`).then((r) => r.json());
      await fetch(`${h.url}/ota/nowhere`).then((r) => r.text());
      await fetch(`${h.url}/api/v1/products`).then((r) => r.json());
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await h.close();
    }
    expect(fromViews.length).toBeGreaterThanOrEqual(8);
    expect(fromViews).toEqual(fromEntries);
    // What the platform made of a Range it did not serve as asked, in the rule's own words (spec `RangeRule`).
    expect(fromViews.find((line) => line.includes('Range 70000-70100'))).toMatch(
      /Range 70000-70100 → 206 65536 B \(s > e once e is clamped: OneNET serves from byte 0 to e \(206, protocol §2\.4\)\)/,
    );
    expect(fromViews.find((line) => line.includes('Range 0-99'))).toMatch(/Range 0-99 → 206 100 B errno 0$/);
  });

  it('prints at a person’s pace: past 100 lines in a second, the rest is counted per device, operation and answer', async () => {
    const lines = await withCli([], async (url) => {
      const get = () => fetch(`${url}/ota/device/version?dev_id=${demo.devId}`).then((r) => r.json());
      // 250 calls well within a second: the first 100 get their lines, the other 150 one counted line.
      for (let i = 0; i < 25; i++) await Promise.all(Array.from({ length: 10 }, get));
    });
    const log = lines.filter((line) => /^\d\d:\d\d:\d\d\.\d{3} /.test(line));
    // Without a token each is refused (errno 1): what is counted is the answer, whatever it is.
    const single = log.filter((line) => / getVersion +errno 1 /.test(line));
    const counted = log.filter((line) => line.includes(' more, errno 1 (over 100 lines a second: grouped;'));
    const total = counted.reduce((n, line) => n + Number(/×(\d+) more/.exec(line)?.[1]), 0);
    // Every call is accounted for, once; a machine slow enough to spread them over two seconds prints more singly.
    expect(single.length + total).toBe(250);
    expect(single.length).toBeGreaterThanOrEqual(100);
    expect(total).toBeGreaterThan(0);
  });

  it('prints each device request with its essentials, and management calls on a short line', async () => {
    const lines = await withCli([], async (url) => {
      await fetch(`${url}/ota/south/download/not-a-token`, { headers: { Range: 'bytes=0-99' } }).then((r) =>
        r.arrayBuffer(),
      );
      await fetch(`${url}/ota/south/check?dev_id=${demo.devId}&type=2&version=V1.0`).then((r) => r.json());
      await fetch(`${url}/api/v1/products`).then((r) => r.json());
    });
    const log = lines.filter((line) => /^\d\d:\d\d:\d\d\.\d{3} /.test(line));
    expect(log).toHaveLength(3);
    expect(log[0]).toMatch(/downloadPackage +Range bytes=0-99 → 200 1 B/);
    expect(log[1]).toMatch(/dev 32981907 +checkTask +version V1\.0 errno \d+ /);
    expect(log[2]).toMatch(/GET \/api\/v1\/products → 200\n$/);
    expect(log.join('')).not.toContain('\x1b['); // not a terminal: no colours
  });

  it('marks what the platform served although OneNET documents otherwise or HTTP forbids it', async () => {
    const lines = await withCli([], async (url) => {
      // No manuf or model (OneNET's own C SDK), and lines ended by LF alone (a hand-written client).
      await rawExchange(
        url,
        `GET /ota/south/check?dev_id=${demo.devId}&type=2&version=V1.0 HTTP/1.1\nHost: x\nConnection: close\n\n`,
      );
    });
    const log = lines.filter((line) => /^\d\d:\d\d:\d\d\.\d{3} /.test(line));
    expect(log[0]).toMatch(
      /checkTask .*\[tolerated: its lines end with LF alone, manuf missing, model missing, cdn missing\]/,
    );
  });

  it('prints a request the platform could not read with its device and the reason', async () => {
    const lines = await withCli([], async (url) => {
      await rawExchange(
        url,
        `GET /ota/south/check?dev_id=${demo.devId}&type=2&version=V1.0 HTTP/1.1\r\nHost : x\r\n\r\n`,
      );
    });
    const log = lines.filter((line) => /^\d\d:\d\d:\d\d\.\d{3} /.test(line));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/ dev 32981907 GET \/ota\/south\/check → 400 — the request is not HTTP\/1\.1 .*header name/);
  });

  it('prints journal entries as JSON lines with --log json, and nothing with --quiet', async () => {
    const json = await withCli(['--log', 'json'], async (url) => {
      await fetch(`${url}/api/v1/products`).then((r) => r.json());
    });
    const entry = JSON.parse(json.at(-1) ?? '{}') as { operation?: string; response?: { status: number } };
    expect(entry).toMatchObject({ operation: 'listProducts', response: { status: 200 } });
    const quiet = await withCli(['--quiet'], async (url) => {
      await fetch(`${url}/api/v1/products`).then((r) => r.json());
    });
    expect(quiet.filter((line) => line.includes('/api/v1/products →'))).toEqual([]);
  });
});
