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

/** Who the device is in every case of a run. */
export const identity: Identity = {
  productKey: 'Y29uZm9ybWFuY2UgcHJvZHVjdCBrZXkgMDEyMzQ1Njc=',
  devId: 32981907,
  deviceName: 'dut',
  deviceKey: 'Y29uZm9ybWFuY2UgZGV2aWNlIGtleSAwMTIzNDU2Nzg=',
  manuf: '100',
  model: '10001',
  fromVersion: 'V1.0',
  targetVersion: 'V2.0',
};

/** What a prepared case looks like. */
export interface Prepared {
  /** The image the device runs, when the case hands out a differential package. */
  firmware?: Uint8Array;
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
  const upload = (name: string, version: string, bytes: Uint8Array) =>
    call<Schemas['Package']>(
      'POST',
      `${base}/packages?name=${name}&module=sota&targetVersion=${version}&fileName=${name}.bin`,
      bytes,
      'application/octet-stream',
    );
  const current = demoImage(scenario.packageSize ?? 32 * 1024, 0xc0ffee);
  if (scenario.diff) await upload('current', who.fromVersion, current);
  const pkg = await upload('target', who.targetVersion, scenario.diff ? edited(current) : current);
  const diffId = scenario.diff
    ? await generateDiff(call, `${base}/packages/${pkg.id}/diffs`, who.fromVersion)
    : undefined;
  const now = platform.clock.now();
  const strategy: Schemas['TaskStrategyInput'] = {
    retry: { mode: 'retry', count: 2, intervalSeconds: 1 },
    ...scenario.strategy,
    ...(scenario.deadlineAfterMs ? { deadline: new Date(now + scenario.deadlineAfterMs).toISOString() } : {}),
  };
  const task = await call<Schemas['Task']>('POST', `${base}/tasks`, {
    name: 'case',
    packageId: pkg.id,
    ...(diffId ? { diffId } : {}),
    targets: { devIds: [who.devId] },
    strategy,
  });
  if (!scenario.notStarted) await call('POST', `${base}/tasks/${task.id}/start`);
  for (const fault of scenario.faults ?? []) await call('POST', '/__mock/faults', fault);
  const file = diffId ? await call<Schemas['DiffPackage']>('GET', `${base}/packages/${pkg.id}/diffs/${diffId}`) : pkg;
  return {
    ...(scenario.diff ? { firmware: scenario.diff === 'wrong-base' ? damaged(current) : current } : {}),
    productId: product.id,
    taskId: task.id,
    file: { size: file.size, md5: file.md5, target: pkg.targetVersion },
    strategy: task.strategy,
  };
}

/** Another version of an image: a few bytes and a block changed, as a bug-fix release would. */
function edited(image: Uint8Array): Uint8Array {
  const next = image.slice();
  for (let i = 0; i < 2048; i += 61) next[(i * 7 + 9000) % next.length] = i & 0xff;
  return next;
}

/** The image with bytes changed all over it: not the one the patch was made from. */
function damaged(image: Uint8Array): Uint8Array {
  const next = image.slice();
  for (let p = 100; p < next.length; p += 997) next[p] = (next[p] as number) ^ 0xff;
  return next;
}

/** Asks the platform to generate the differential package online and waits for the job. */
async function generateDiff(
  call: <T>(method: string, path: string, body?: unknown) => Promise<T>,
  path: string,
  initialVersion: string,
): Promise<string> {
  let job = await call<Schemas['Job']>('POST', path, { initialVersion });
  for (let tries = 0; job.status === 'queued' || job.status === 'running'; tries++) {
    if (tries > 2000) throw new SetupError('diff generation did not finish');
    await new Promise((resolve) => setTimeout(resolve, 5));
    job = await call<Schemas['Job']>('GET', `/api/v1/jobs/${job.id}`);
  }
  if (job.status !== 'succeeded' || !job.result)
    throw new SetupError(`diff generation failed: ${JSON.stringify(job.error)}`);
  return job.result.diffId;
}
