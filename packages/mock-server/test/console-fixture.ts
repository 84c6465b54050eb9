import {
  createDeviceClient,
  createManagementClient,
  type DeviceClient,
  MemoryStore,
  OtaAgent,
  type UpgradeResult,
  uploadPackage,
} from '@onenet-ota/sdk';
import { createPlatform, type Platform } from '../src/index.ts';
import { type RunningServer, startServer } from '../src/node.ts';

/** A platform a tester would open the console on: a product, its devices on V1.0, a package and a manual task. */
export interface ConsoleFixture {
  platform: Platform;
  server: RunningServer;
  productId: string;
  taskId: string;
  devIds: number[];
  /** The reference agent as one of the devices, over HTTP; each download waits `delayMs` so a page can watch. */
  upgrade(devId: number, delayMs?: number): Promise<UpgradeResult>;
  /** A typed client signing as the product, for a test that drives a device's calls one by one. */
  device: DeviceClient;
  /** The task check query of a device on V1.0. */
  checkQuery(devId: number): { dev_id: number; manuf: string; model: string; type: 2; version: string };
}

const manuf = '101';
const model = '10101';

/** Builds it through the management API, as a backend would. */
export async function consoleFixture(deviceNames: string[]): Promise<ConsoleFixture> {
  const platform = createPlatform({ seed: 'none' });
  const server = await startServer({ platform, port: 0 });
  const admin = createManagementClient({ baseUrl: server.url });
  // The answer to a create carries the new product's access key.
  const product = await admin.POST('/api/v1/products', { body: { name: 'Water meter', manuf, model } });
  const productId = product.data?.id ?? '';
  const accessKey = product.data?.accessKey ?? '';
  const devIds: number[] = [];
  for (const name of deviceNames) {
    const { data } = await admin.POST('/api/v1/products/{productId}/devices', {
      params: { path: { productId } },
      body: { name, sVersion: 'V1.0' },
    });
    devIds.push(data?.devId ?? 0);
  }
  const pkg = await uploadPackage(
    admin,
    productId,
    { name: 'meter-app', module: 'sota', targetVersion: 'V1.1', fileName: 'app.bin' },
    new Uint8Array(64 * 1024).fill(3),
  );
  const task = await admin.POST('/api/v1/products/{productId}/tasks', {
    params: { path: { productId } },
    body: {
      name: 'meter app 1.1',
      packageId: pkg.data?.id ?? '',
      targets: { devIds },
      strategy: { start: { mode: 'manual' }, retry: { mode: 'none' } },
    },
  });
  const taskId = task.data?.id ?? '';
  if (!taskId) throw new Error(`task not created: ${JSON.stringify(task.error)}`);
  const upgrade = (devId: number, delayMs = 0) =>
    new OtaAgent({
      client: {
        baseUrl: server.url,
        productId,
        accessKey,
        fetch: async (request) => {
          if (/^\/ota\/south\/download\/[^/]+$/.test(new URL(request.url).pathname))
            await new Promise((resolve) => setTimeout(resolve, delayMs));
          return fetch(request);
        },
      },
      devId,
      type: 2,
      manuf,
      model,
      version: 'V1.0',
      store: new MemoryStore(),
      sleep: async () => {},
      install: async (image) => {
        for await (const _ of image);
      },
    }).run();
  const device = createDeviceClient({ baseUrl: server.url, productId, accessKey });
  const checkQuery = (devId: number) => ({ dev_id: devId, manuf, model, type: 2 as const, version: 'V1.0' });
  return { platform, server, productId, taskId, devIds, upgrade, device, checkQuery };
}
