import { demoImage, type Platform } from '@onenet-ota/mock-server';
import type { components } from '@onenet-ota/sdk';
import type { Scenario } from './types.ts';

type Schemas = components['schemas'];

/** Who the device is in every case: the same, so a device on the bench is configured once. */
export interface Identity {
  productKey: string;
  devId: number;
  deviceName: string;
  deviceKey: string;
  manuf: string;
  model: string;
  fromVersion: string;
  targetVersion: string;
}

/** What a prepared case looks like. */
export interface Prepared {
  productId: string;
  taskId: string;
  file: { size: number; md5: string; target: string };
  strategy: Schemas['TaskStrategy'];
}

/** Thrown when the platform refused the suite's own setup: the suite, not the device, is at fault. */
export class SetupError extends Error {
  override name = 'SetupError';
}

/**
 * Resets the platform and builds the case: product, device on the initial version, package, task with the
 * scenario's strategy (started unless the scenario says not), and the scenario's faults. Everything goes through
 * the platform's own APIs, so the setup is checked like any client's.
 */
export async function prepare(platform: Platform, scenario: Scenario, who: Identity): Promise<Prepared> {
  const call = async <T>(method: string, path: string, body?: unknown, type = 'application/json'): Promise<T> => {
    const init: RequestInit = { method, headers: { 'Content-Type': type } };
    if (body !== undefined) init.body = body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body);
    const response = await platform.fetch(new Request(`http://conformance.invalid${path}`, init));
    const text = await response.text();
    if (!response.ok) throw new SetupError(`${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  await call('POST', '/__mock/reset', { seed: 'none' });
  const product = await call<Schemas['Product']>('POST', '/api/v1/products', {
    name: 'conformance',
    manuf: who.manuf,
    model: who.model,
    accessKey: who.productKey,
  });
  const base = `/api/v1/products/${product.id}`;
  await call('POST', `${base}/devices`, {
    name: who.deviceName,
    devId: who.devId,
    accessKey: who.deviceKey,
    sVersion: who.fromVersion,
  });
  const image = demoImage(scenario.packageSize ?? 32 * 1024, 0xc0ffee);
  const pkg = await call<Schemas['Package']>(
    'POST',
    `${base}/packages?name=target&module=sota&targetVersion=${who.targetVersion}&fileName=target.bin`,
    image,
    'application/octet-stream',
  );
  const now = platform.clock.now();
  const strategy: Schemas['TaskStrategyInput'] = {
    retry: { mode: 'retry', count: 2, intervalSeconds: 1 },
    ...scenario.strategy,
    ...(scenario.deadlineAfterMs ? { deadline: new Date(now + scenario.deadlineAfterMs).toISOString() } : {}),
  };
  const task = await call<Schemas['Task']>('POST', `${base}/tasks`, {
    name: 'case',
    packageId: pkg.id,
    targets: { devIds: [who.devId] },
    strategy,
  });
  if (!scenario.notStarted) await call('POST', `${base}/tasks/${task.id}/start`);
  for (const fault of scenario.faults ?? []) await call('POST', '/__mock/faults', fault);
  return {
    productId: product.id,
    taskId: task.id,
    file: { size: pkg.size, md5: pkg.md5, target: pkg.targetVersion },
    strategy: task.strategy,
  };
}
