import { md5Hex } from '@onenet-ota/sdk';
import type { Context } from '../context.ts';
import { newAccessKey } from './ids.ts';
import { emptyState } from './records.ts';
import { taskActionTarget } from './state-machine.ts';
import { resetDeviceTasks, startTask } from './tasks.ts';

/** The demo seed's fixed credentials, so the README and a bench device can use them as they are. */
export const demo = {
  productId: '123123',
  // The access key of OneNET's public token test vector (protocol §1.6).
  productKey: 'KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=',
  devId: 32981907,
  deviceName: 'demo-device',
  deviceKey: btoa('onenet-ota-kit demo device key!!'),
  manuf: '100',
  model: '10001',
  fromVersion: 'V1.0',
  targetVersion: 'V2.0',
  packageSize: 64 * 1024,
} as const;

/** Empties the platform; with `demo`, adds a product, a device on V1.0, a 64 KiB package V2.0 and a running task. */
export function seed(ctx: Context, name: 'demo' | 'none'): void {
  Object.assign(ctx.state, emptyState());
  if (name === 'none') return;
  const now = ctx.clock.now();
  // The published key signs tokens for anyone who read the docs: a platform others reach gets its own keys.
  const generated = ctx.settings.demoKeys === 'generated';
  ctx.state.products.set(demo.productId, {
    id: demo.productId,
    name: 'Demo product',
    manuf: demo.manuf,
    model: demo.model,
    description: 'Seeded by ota-mock',
    accessKey: generated ? newAccessKey() : demo.productKey,
    createdAt: now,
  });
  ctx.state.devices.set(demo.devId, {
    devId: demo.devId,
    productId: demo.productId,
    name: demo.deviceName,
    authInfo: demo.deviceName,
    accessKey: generated ? newAccessKey() : demo.deviceKey,
    sVersion: demo.fromVersion,
    createdAt: now,
  });
  const bytes = demoImage(demo.packageSize);
  ctx.state.packages.set('pkg_1', {
    id: 'pkg_1',
    productId: demo.productId,
    name: 'demo-2.0',
    module: 'sota',
    manuf: demo.manuf,
    model: demo.model,
    targetVersion: demo.targetVersion,
    fileName: 'demo-V2.0.bin',
    description: '',
    size: bytes.length,
    md5: md5Hex(bytes),
    bytes,
    createdAt: now,
  });
  const task = {
    id: 'tsk_1',
    tid: 1,
    productId: demo.productId,
    name: 'demo upgrade',
    packageId: 'pkg_1',
    module: 'sota' as const,
    targetVersion: demo.targetVersion,
    targets: { devIds: [demo.devId], groupIds: [] },
    strategy: {
      signal: 0,
      power: 0,
      retry: { mode: 'retry' as const, count: 3, intervalSeconds: 5 },
      start: { mode: 'manual' as const },
    },
    state: 'not_started' as const,
    devIds: [demo.devId],
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.tasks.set(task.id, task);
  resetDeviceTasks(ctx, task);
  const started = taskActionTarget(task.state, 'start');
  if (started) startTask(ctx, task, started);
  ctx.state.counters = { pkg: 1, tsk: 1, tid: 1, product: 123123, device: demo.devId };
}

/** Deterministic bytes (xorshift32), so the demo package has the same md5 on every run. */
export function demoImage(size: number, seedValue = 0x0e7a0e7a): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seedValue;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
