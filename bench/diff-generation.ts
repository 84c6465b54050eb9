// Bench: how long other requests wait while the platform generates a differential package online. Two unrelated
// images (the slowest patch to make) are diffed, once with the encoder on the platform's own thread and once on
// a worker thread (`workerDiffs()`, what ota-mock uses), in this run; meanwhile a client in another process asks
// the platform's clock every 10 ms (in this process its timers would stall with the encoder). Prints the
// generation time and the longest wait for an answer in each mode, and their ratio.
//
//   pnpm exec node bench/diff-generation.ts [--size 8388608]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createPlatform, demoImage, type PlatformOptions } from '@onenet-ota/mock-server';
import { startServer, workerDiffs } from '@onenet-ota/mock-server/node';
import { createManagementClient } from '@onenet-ota/sdk';

const { values } = parseArgs({ options: { size: { type: 'string', default: String(8 * 1024 * 1024) } } });
const size = Number(values.size);
const say = (line: string) => process.stdout.write(`${line}\n`);

// Asks a URL every 10 ms until its stdin ends, then prints the longest wait for an answer, in ms.
const pollerScript = `
let longest = 0, polling = true;
process.stdin.on('end', () => { polling = false; }).resume();
while (polling) {
  const asked = performance.now();
  await fetch(process.argv[1]).then((r) => r.arrayBuffer());
  longest = Math.max(longest, performance.now() - asked);
  await new Promise((r) => setTimeout(r, 10));
}
console.log(longest.toFixed(0));
`;

async function measure(label: string, options: PlatformOptions): Promise<number> {
  const server = await startServer({
    port: 0,
    platform: createPlatform({ seed: 'demo', maxUploadBytes: 2 * size, ...options }),
  });
  const admin = createManagementClient({ baseUrl: server.url });
  const upload = async (name: string, version: string, seed: number) => {
    const query = new URLSearchParams({ name, module: 'sota', targetVersion: version, fileName: `${name}.bin` });
    const response = await fetch(`${server.url}/api/v1/products/123123/packages?${query}`, {
      method: 'POST',
      body: demoImage(size, seed) as BodyInit,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    return ((await response.json()) as { id: string }).id;
  };
  await upload('base', 'V1.0', 1);
  const packageId = await upload('target', 'V3.0', 2);
  const poller = spawn(process.execPath, ['--input-type=module', '-e', pollerScript, `${server.url}/__mock/clock`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let report = '';
  poller.stdout?.on('data', (chunk: Buffer) => {
    report += chunk;
  });
  const pollerDone = new Promise((resolve) => poller.once('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 300)); // the poller is up and asking
  const started = performance.now();
  const accepted = await admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
    params: { path: { productId: '123123', packageId } },
    body: { initialVersion: 'V1.0' },
  });
  for (;;) {
    const job = await admin.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: accepted.data?.id as string } } });
    if (job.data?.status === 'succeeded' || job.data?.status === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  poller.stdin?.end();
  await pollerDone;
  const longest = Number(report.trim());
  await server.close();
  say(
    `${label.padEnd(24)} generated in ${seconds.toFixed(2)} s; longest wait for an answer meanwhile ${longest.toFixed(0)} ms`,
  );
  return longest;
}

const inThread = await measure('in the platform thread', {});
const worker = await measure('on a worker thread', { generateDiff: workerDiffs() });
say(`longest wait on a worker: ${(worker / inThread).toFixed(3)}× the in-thread one (${size} bytes, unrelated images)`);
