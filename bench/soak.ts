// Bench: a soak of the durable platform. One `ota-mock --data-dir` process; 1 000 devices (the SDK's reference
// agent) upgrade in rounds for 10 minutes: each round a task to the other of two packages, started, run to the
// end by every device, then deleted. Prints every 30 s the server's RSS, the rounds and upgrades done, errors
// (any upgrade that did not end `upgraded`) and the data directory's size on disk (database, WAL and package
// files). Flat RSS and 0 errors is the goal.
//
//   pnpm run bench:soak [--devices 1000] [--minutes 10] [--journal-limit 100000]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demo, demoImage } from '@onenet-ota/mock-server';
import { createManagementClient, MemoryStore, OtaAgent, uploadPackage } from '@onenet-ota/sdk';
import { startOtaMock } from './ota-mock-process.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    minutes: { type: 'string', default: '10' },
    'journal-limit': { type: 'string', default: '100000' },
  },
});
const deviceCount = Number(values.devices);
const endAt = Date.now() + Number(values.minutes) * 60_000;
const say = (line: string) => process.stdout.write(`${line}\n`);
const dir = mkdtempSync(join(tmpdir(), 'ota-soak-'));

const { url: baseUrl, process: server } = await startOtaMock([
  ...['--data-dir', dir, '--port', '0', '--clock', 'virtual', '--seed', 'demo', '--quiet'],
  // Every device keeps a connection open: the connection cap sits above the fleet.
  ...['--max-connections', String(deviceCount * 2 + 64), '--journal-limit', values['journal-limit']],
]);
const admin = createManagementClient({ baseUrl });
const productId = demo.productId;

const rssMiB = () => {
  const line = readFileSync(`/proc/${server.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1];
  return Number(line) / 1024;
};
const diskMiB = () => {
  let bytes = 0;
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else bytes += stat.size;
    }
  };
  walk(dir);
  return bytes / 1024 / 1024;
};

// Two packages the fleet alternates between.
const upload = async (name: string, version: string, seed: number) => {
  const query = { name, module: 'sota' as const, targetVersion: version, fileName: `${name}.bin` };
  return (await uploadPackage(admin, productId, query, demoImage(16 * 1024, seed))).data?.id as string;
};
const packages = { V2: await upload('soak-a', 'V2', 1), V1: await upload('soak-b', 'V1', 2) };
const devIds: number[] = [];
for (let i = 0; i < deviceCount; i++) {
  const { data } = await admin.POST('/api/v1/products/{productId}/devices', {
    params: { path: { productId } },
    body: { name: `soak-${i}` },
  });
  devIds.push(data?.devId as number);
}

const stores = new Map(devIds.map((id) => [id, new MemoryStore()]));
let version = 'V1';
let rounds = 0;
let upgrades = 0;
let errors = 0;
const errorDetails = new Map<string, number>();
const started = Date.now();
const rssAtStart = rssMiB();
let rssAfterFirstMinute: number | undefined;
const report = () => {
  const rss = rssMiB();
  if (Date.now() - started >= 60_000) rssAfterFirstMinute ??= rss;
  say(
    `${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s  RSS ${rss.toFixed(0)} MiB  rounds ${rounds}  upgrades ${upgrades}  errors ${errors}  data ${diskMiB().toFixed(1)} MiB`,
  );
};
const timer = setInterval(report, 30_000);
report();

while (Date.now() < endAt) {
  const target = version === 'V1' ? 'V2' : 'V1';
  const task = await admin.POST('/api/v1/products/{productId}/tasks', {
    params: { path: { productId } },
    body: { name: `round-${rounds}`, packageId: packages[target as 'V1' | 'V2'], targets: { devIds } },
  });
  const taskId = task.data?.id as string;
  await admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId, taskId, action: 'start' } },
  });
  const results = await Promise.all(
    devIds.map((devId) =>
      new OtaAgent({
        client: { baseUrl, productId, accessKey: demo.productKey },
        devId,
        type: 2,
        manuf: demo.manuf,
        model: demo.model,
        version,
        store: stores.get(devId),
        install: async (chunks) => {
          for await (const _ of chunks);
        },
      }).run(),
    ),
  );
  for (const result of results) {
    if (result.outcome === 'upgraded') upgrades++;
    else {
      errors++;
      const key = `${result.outcome}: ${result.detail}`;
      errorDetails.set(key, (errorDetails.get(key) ?? 0) + 1);
    }
  }
  await admin.DELETE('/api/v1/products/{productId}/tasks/{taskId}', { params: { path: { productId, taskId } } });
  version = target;
  rounds++;
}
clearInterval(timer);
report();
const rssEnd = rssMiB();
say(
  `\n${deviceCount} devices, ${rounds} rounds, ${upgrades} upgrades, ${errors} errors in ${((Date.now() - started) / 60_000).toFixed(1)} min`,
);
say(
  `RSS ${rssAtStart.toFixed(0)} MiB at start, ${rssAfterFirstMinute?.toFixed(0) ?? '-'} after 1 min, ${rssEnd.toFixed(0)} at the end; data directory ${diskMiB().toFixed(1)} MiB`,
);
for (const [detail, count] of errorDetails) say(`  ${count}× ${detail}`);
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
process.exitCode = errors === 0 ? 0 : 1;
