// A server for bench/throughput.ts: ota-mock's node door (startServer) in front of a platform that does no work. It
// answers a check with fixed bytes and a range by slicing one buffer, as bare node:http does, but through the door
// every device call takes: what ota-mock could reach if the platform itself cost nothing.
//
//   node bench/door-only.ts <port> <package file> <check answer file>
import { readFileSync } from 'node:fs';
import type { Platform } from '@onenet-ota/mock-server';
import { startServer } from '@onenet-ota/mock-server/node';
import { awaitWholeEnd, WholeAnswer } from '../packages/mock-server/src/core/http/whole-answer.ts';

const [port, packageFile, checkFile] = process.argv.slice(2) as [string, string, string];
const file = readFileSync(packageFile);
const check = readFileSync(checkFile);

function answer(request: Request): WholeAnswer {
  if (request.url.includes('/ota/south/check')) {
    const headers = { 'Content-Type': 'application/json', 'Content-Length': String(check.length) };
    return new WholeAnswer(check, { status: 200, headers });
  }
  const [, from, to] = /bytes=(\d+)-(\d+)/.exec(request.headers.get('range') ?? '') ?? [];
  const start = Number(from ?? 0);
  const end = Math.min(Number(to ?? file.length - 1), file.length - 1);
  return new WholeAnswer(file.subarray(start, end + 1), {
    status: 206,
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start + 1),
      'Content-Range': `bytes ${start}-${end}/${file.length}`,
    },
  });
}

const platform = {
  // The door dates every answer in platform time.
  clock: { now: () => Date.now() },
  fetch: async (request: Request) => {
    const response = answer(request);
    // The door reports how the write ended; nothing here keeps it.
    awaitWholeEnd(response, () => {});
    return response;
  },
} as unknown as Platform;
await startServer({ platform, port: Number(port) });
process.stdout.write('ready\n');
