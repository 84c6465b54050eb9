// Bench: how long the platform holds its event loop while a large package is uploaded. The MD5 is computed as the
// body streams in, a slice at a time; before, the whole image was hashed in one call once it had arrived. Prints
// the longest event-loop hold during the upload (perf_hooks' monitorEventLoopDelay, server in this process) next
// to the time of hashing the same bytes in one call, measured in this run, and their ratio.
//
//   pnpm exec node bench/upload-hashing.ts [--size 67108864]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createPlatform, demoImage } from '@onenet-ota/mock-server';
import { startServer } from '@onenet-ota/mock-server/node';
import { md5Hex } from '@onenet-ota/sdk';

const { values } = parseArgs({ options: { size: { type: 'string', default: String(64 * 1024 * 1024) } } });
const size = Number(values.size);
const say = (line: string) => process.stdout.write(`${line}\n`);
const image = demoImage(size, 7);

const oneCall = performance.now();
const expected = md5Hex(image);
const oneCallMs = performance.now() - oneCall;

const server = await startServer({ port: 0, platform: createPlatform({ seed: 'demo', maxUploadBytes: size }) });
// Warm up: the first management request compiles the spec's validators, a one-time hold that is not hashing.
await fetch(`${server.url}/api/v1/products/123123/packages`);
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const started = performance.now();
const query = new URLSearchParams({ name: 'big', module: 'sota', targetVersion: 'V9.0', fileName: 'big.bin' });
const response = await fetch(`${server.url}/api/v1/products/123123/packages?${query}`, {
  method: 'POST',
  body: image as BodyInit,
  headers: { 'Content-Type': 'application/octet-stream' },
});
const uploaded = (await response.json()) as { md5?: string };
const uploadMs = performance.now() - started;
histogram.disable();
await server.close();
if (uploaded.md5 !== expected) throw new Error(`md5 ${uploaded.md5} is not ${expected}`);
const longestHoldMs = histogram.max / 1e6;
say(`${size} bytes uploaded in ${uploadMs.toFixed(0)} ms, md5 ${uploaded.md5}`);
say(`longest event-loop hold during the upload: ${longestHoldMs.toFixed(1)} ms`);
say(`hashing the same bytes in one call (before):  ${oneCallMs.toFixed(1)} ms`);
say(`ratio: ${(longestHoldMs / oneCallMs).toFixed(3)}× the one-call hold`);
