// Bench: N devices download one package concurrently from `ota-mock`, the OneNET way (token check before every
// Range fragment), and the same Range load against a bare node:http server slicing a Buffer (the baseline of
// shared/notes/perf-anchors.md), both in child processes started in this run. Prints throughput, each as a ratio
// to the baseline, the server's peak memory, and whether every device's bytes have the right md5.
//
//   pnpm exec node bench/concurrent-downloads.ts [--devices 1000] [--size 131072] [--fragment 8192]
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { createManagementClient, productResource, signToken } from '@onenet-ota/sdk';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    size: { type: 'string', default: '131072' },
    fragment: { type: 'string', default: '8192' },
  },
});
const devices = Number(values.devices);
const size = Number(values.size);
const fragment = Number(values.fragment);

const require = createRequire(import.meta.url);
const mockBin = require.resolve('@onenet-ota/mock-server/package.json').replace('package.json', 'bin/ota-mock.ts');

/** Starts a server process and resolves with its URL once it prints one. */
function startChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const url = chunk.toString().match(/(http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      if (url) resolve({ child, url });
    });
  });
}

/** Peak resident memory of a process so far (VmHWM), MiB. */
function peakMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return Number(line?.[1] ?? 0) / 1024;
}
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(line?.[1] ?? 0) / 1024;
}

/** Every device fetches the file in fragments; `before` runs ahead of each fragment (the token check). */
async function load(
  url: (device: number) => string,
  before?: (device: number) => Promise<void>,
): Promise<{ seconds: number; requests: number; good: number }> {
  let requests = 0;
  let good = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: devices }, async (_, device) => {
      const md5 = createHash('md5');
      for (let offset = 0; offset < size; offset += fragment) {
        if (before) {
          await before(device);
          requests++;
        }
        const response = await fetch(url(device), {
          headers: { Range: `bytes=${offset}-${Math.min(offset + fragment, size) - 1}` },
        });
        md5.update(new Uint8Array(await response.arrayBuffer()));
        requests++;
      }
      if (md5.digest('hex') === expectedMd5) good++;
    }),
  );
  return { seconds: (performance.now() - started) / 1000, requests, good };
}

// The package: deterministic bytes, uploaded to the mock and served by the baseline.
const image = new Uint8Array(size).map((_, i) => (i * 7919) & 0xff);
const expectedMd5 = createHash('md5').update(image).digest('hex');

// 1. ota-mock with one product, N devices, one running task.
const mock = await startChild([
  ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
  mockBin,
  '--port',
  '0',
  '--seed',
  'none',
  '--clock',
  'virtual',
  '--quiet',
]);
const admin = createManagementClient({ baseUrl: mock.url });
const product = (await admin.POST('/api/v1/products', { body: { name: 'bench', manuf: '100', model: '10001' } })).data;
if (!product) throw new Error('could not create the product');
const devIds: number[] = [];
for (let i = 0; i < devices; i++) {
  const { data } = await admin.POST('/api/v1/products/{productId}/devices', {
    params: { path: { productId: product.id } },
    body: { name: `d${i}`, sVersion: 'V1' },
  });
  devIds.push(data?.devId ?? 0);
}
const upload = await fetch(
  `${mock.url}/api/v1/products/${product.id}/packages?name=p&module=sota&targetVersion=V2&fileName=p.bin`,
  {
    method: 'POST',
    body: image,
    headers: { 'Content-Type': 'application/octet-stream' },
  },
);
const pkg = (await upload.json()) as { id: string };
const task = (
  await admin.POST('/api/v1/products/{productId}/tasks', {
    params: { path: { productId: product.id } },
    body: { name: 't', packageId: pkg.id, targets: { devIds } },
  })
).data;
await admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
  params: { path: { productId: product.id, taskId: task?.id ?? '', action: 'start' } },
});
const clock = (await admin.GET('/__mock/clock')).data;
const authorization = await signToken({
  accessKey: product.accessKey ?? '',
  res: productResource(product.id),
  et: Math.floor((clock?.epochMs ?? 0) / 1000) + 86_400,
});
const tokens: string[] = [];
for (const devId of devIds) {
  const check = await fetch(`${mock.url}/ota/south/check?dev_id=${devId}&manuf=100&model=10001&type=2&version=V1`, {
    headers: { Authorization: authorization },
  });
  tokens.push(((await check.json()) as { data: { token: string } }).data.token);
}
const mockIdle = rssMiB(mock.child.pid ?? 0);
const tokenCheck = async (device: number) => {
  const response = await fetch(`${mock.url}/ota/south/download/${tokens[device]}/check?dev_id=${devIds[device]}`, {
    headers: { Authorization: authorization },
  });
  const { errno } = (await response.json()) as { errno: number };
  if (errno !== 0) throw new Error(`token check answered ${errno}`);
};
const withChecks = await load((d) => `${mock.url}/ota/south/download/${tokens[d]}`, tokenCheck);
const rangesOnly = await load((d) => `${mock.url}/ota/south/download/${tokens[d]}`);
const mockPeak = peakMiB(mock.child.pid ?? 0);
mock.child.kill('SIGINT');
await new Promise((resolve) => mock.child.once('exit', resolve));

// 2. The baseline: bare node:http answering the same Range requests from one Buffer.
const baselineSource = `
  const http = require('node:http');
  const image = new Uint8Array(${size}).map((_, i) => (i * 7919) & 0xff);
  http.createServer((req, res) => {
    const [, s, e] = /bytes=(\\d+)-(\\d+)/.exec(req.headers.range);
    const start = Number(s), end = Number(e);
    res.writeHead(206, { 'Content-Range': 'bytes ' + start + '-' + end + '/' + image.length, 'Content-Length': end - start + 1 });
    res.end(image.subarray(start, end + 1));
  }).listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port); });`;
const baseline = await startChild(['-e', baselineSource]);
const bare = await load(() => `${baseline.url}/x`);
const baselinePeak = peakMiB(baseline.child.pid ?? 0);
baseline.child.kill();

const mb = (size * devices) / 2 ** 20;
const row = (name: string, r: { seconds: number; requests: number; good: number }) =>
  `${name.padEnd(44)} ${(mb / r.seconds).toFixed(1).padStart(7)} MiB/s ${(r.requests / r.seconds).toFixed(0).padStart(7)} req/s   ${(mb / r.seconds / (mb / bare.seconds)).toFixed(2)}× baseline   md5 ok ${r.good}/${devices}`;
process.stdout.write(
  [
    `${devices} devices × ${size} bytes in ${fragment}-byte fragments (${mb.toFixed(0)} MiB each run), Node ${process.versions.node}`,
    row('baseline: bare node:http, Buffer slices', bare),
    row('ota-mock: token check + Range (OneNET way)', withChecks),
    row('ota-mock: Range only', rangesOnly),
    `ota-mock memory: ${mockIdle.toFixed(0)} MiB after setup, peak ${mockPeak.toFixed(0)} MiB under load (+${(mockPeak - mockIdle).toFixed(0)} MiB); baseline peak ${baselinePeak.toFixed(0)} MiB`,
    '',
  ].join('\n'),
);
process.exit(withChecks.good === devices && rangesOnly.good === devices ? 0 : 1);
