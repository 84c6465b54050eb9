// Bench: the platform's own work for a task check, in process, with no HTTP: what `bench/throughput.ts` measures
// through the node door less the door and the sockets. Calls `platform.fetch` as the node door does (raw headers,
// whole bodies, the body end reported), one at a time and 32 at once, and prints CPU time per check. Beside
// throughput.ts's figures it says how much of a check's cost is the platform's logic and how much is the HTTP
// around it (issue 30). --log attaches the request log as `ota-mock` does (paced, into /dev/null): what it adds.
//
//   pnpm exec node bench/platform-only.ts [--checks 200000] [--log]
import { openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createPlatform, demo } from '@onenet-ota/mock-server';
import { productResource, signToken } from '@onenet-ota/sdk';
import { RawHeaders } from '../packages/mock-server/src/core/http/raw-headers.ts';
import { takeWhole } from '../packages/mock-server/src/core/http/whole-answer.ts';
import { LogWriter } from '../packages/mock-server/src/log-writer.ts';
import { logRequests } from '../packages/mock-server/src/paced-log.ts';

const { values } = parseArgs({
  options: { checks: { type: 'string', default: '200000' }, log: { type: 'boolean', default: false } },
});
const checks = Number(values.checks);
const platform = createPlatform({ seed: 'demo', clock: 'virtual' });
if (values.log) {
  const sink = openSync('/dev/null', 'w');
  const lines = new LogWriter((text) => writeSync(sink, text));
  logRequests(platform.journal, (line) => lines.line(line));
}
const et = Math.floor(platform.clock.now() / 1000) + 86_400;
const authorization = await signToken({ accessKey: demo.productKey, res: productResource(demo.productId), et });
const href = `http://127.0.0.1:8787/ota/south/check?dev_id=${demo.devId}&manuf=${demo.manuf}&model=${demo.model}&type=2&version=V1.0&cdn=false`;
const raw = ['Host', '127.0.0.1:8787', 'Authorization', authorization, 'Connection', 'keep-alive'];

// The URL a kept-alive connection asked before, as the node door hands it out again (door-connection.ts).
const url = new URL(href);

/** One check as the node door makes it: the request's four members, its URL, the answer taken whole. */
async function check(): Promise<void> {
  const request = { method: 'GET', url: href, headers: new RawHeaders(raw), body: null } as unknown as Request;
  const response = await platform.fetch(request, { wholeBodies: true, url });
  const whole = takeWhole(response);
  if (response.status !== 200 || !whole) throw new Error(`the check was answered ${response.status}`);
  whole.end({ bytesSent: whole.size, aborted: false });
}

async function cpuPerCheck(inFlight: number): Promise<number> {
  for (let i = 0; i < 20_000; i += inFlight) await Promise.all(Array.from({ length: inFlight }, check));
  const before = process.cpuUsage();
  for (let i = 0; i < checks; i += inFlight) await Promise.all(Array.from({ length: inFlight }, check));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / checks;
}

const one = await cpuPerCheck(1);
const many = await cpuPerCheck(32);
process.stdout.write(
  `task check with auth, in process (no HTTP): ${one.toFixed(1)} µs CPU one at a time, ${many.toFixed(1)} µs 32 at once` +
    ` (journal on, request log ${values.log ? 'on' : 'off'}, ${platform.journal.query({ limit: 1 }).nextSeq - 1} calls kept)\n`,
);
