import { demoImage, type FaultCreate } from '@onenet-ota/mock-server';
import { type Generation, ModuleType, type OperationId, operations } from '@onenet-ota/openapi/protocol';
import { type components, md5Hex, type OneNetClient } from '@onenet-ota/sdk';
import { canonical } from './evidence.ts';
import type { DeviceProfile } from './profile.ts';
import type { CaseFault, Scenario } from './types.ts';

type Schemas = components['schemas'];

/** The device's credentials: the same in every case, so a device on the bench is configured once. */
export const credentials = {
  productKey: 'Y29uZm9ybWFuY2UgcHJvZHVjdCBrZXkgMDEyMzQ1Njc=',
  devId: 32981907,
  deviceName: 'dut',
  deviceKey: 'Y29uZm9ybWFuY2UgZGV2aWNlIGtleSAwMTIzNDU2Nzg=',
} as const;

/** What a prepared case looks like. */
export interface Prepared {
  productId: string;
  taskId: string;
  /** The image the device runs when the case starts (the base of a differential package). */
  firmware: Uint8Array;
  /** The file the task hands out (package or patch) and the image the device must end up running. */
  file: { size: number; md5: string; target: string };
  image: { size: number; md5: string };
  strategy: Schemas['TaskStrategy'];
  faults: CaseFault[];
}

/** Thrown when the platform refused the suite's own setup: the suite, not the device, is at fault. */
export class SetupError extends Error {
  override name = 'SetupError';
}

/** The scenario of a rule for this device. */
export function scenarioFor(scenario: Scenario | ((profile: DeviceProfile) => Scenario), profile: DeviceProfile) {
  return typeof scenario === 'function' ? scenario(profile) : scenario;
}

/**
 * Resets the platform and builds the case through its management and control APIs (so the setup is checked
 * like any client's): a product and a device matching the profile, on its current version; the target package
 * for its module; a task with the scenario's strategy, started unless the scenario says not; the faults.
 */
export async function prepare(admin: OneNetClient, scenario: Scenario, profile: DeviceProfile): Promise<Prepared> {
  // Every case starts at this machine's time, even on a platform an earlier case moved 48 h ahead (one platform for
  // a board on the bench): a device keeping its own clock is not judged by a jump made for another case.
  await must(
    'reset the platform',
    admin.POST('/__mock/reset', { body: { seed: 'none', clock: { now: new Date().toISOString() } } }),
  );
  const product = await must(
    'create the product',
    admin.POST('/api/v1/products', {
      body: { name: 'conformance', manuf: profile.manuf, model: profile.model, accessKey: credentials.productKey },
    }),
  );
  const productId = product.id;
  const module = profile.type === ModuleType.Fota ? 'fota' : 'sota';
  await must(
    'create the device',
    admin.POST('/api/v1/products/{productId}/devices', {
      params: { path: { productId } },
      body: {
        name: credentials.deviceName,
        devId: credentials.devId,
        accessKey: credentials.deviceKey,
        ...(module === 'fota' ? { fVersion: profile.version } : { sVersion: profile.version }),
      },
    }),
  );
  const upload = (name: string, targetVersion: string, bytes: Uint8Array) =>
    must(
      `upload package ${name}`,
      admin.POST('/api/v1/products/{productId}/packages', {
        params: { path: { productId }, query: { name, module, targetVersion, fileName: `${name}.bin` } },
        body: bytes as unknown as string,
        bodySerializer: (body) => body as unknown as BodyInit,
        headers: { 'Content-Type': 'application/octet-stream' },
      }),
    );
  const size = scenario.packageSize ?? profile.fragmentSize * 8 + Math.floor(profile.fragmentSize / 2) + 7;
  const current = demoImage(size, 0xc0ffee);
  if (scenario.diff) await upload('current', profile.version, current);
  const target = scenario.diff ? edited(current) : demoImage(size, 0xbadf00d);
  const pkg = await upload('target', profile.target, target);
  const diffId = scenario.diff ? await generateDiff(admin, productId, pkg.id, profile.version) : undefined;
  const clock = await must('read the clock', admin.GET('/__mock/clock'));
  const strategy: Schemas['TaskStrategyInput'] = {
    retry: { mode: 'retry', count: 2, intervalSeconds: 1 },
    ...scenario.strategy,
    ...(scenario.deadlineAfterMs ? { deadline: new Date(clock.epochMs + scenario.deadlineAfterMs).toISOString() } : {}),
  };
  const task = await must(
    'create the task',
    admin.POST('/api/v1/products/{productId}/tasks', {
      params: { path: { productId } },
      body: {
        name: 'case',
        packageId: pkg.id,
        ...(diffId ? { diffId } : {}),
        targets: { devIds: [credentials.devId] },
        strategy,
      },
    }),
  );
  if (!scenario.notStarted)
    await must(
      'start the task',
      admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
        params: { path: { productId, taskId: task.id, action: 'start' } },
      }),
    );
  const faults: CaseFault[] = [];
  for (const given of scenario.faults ?? []) {
    const create = inGeneration(given, profile.generation);
    const fault = await must('add a fault', admin.POST('/__mock/faults', { body: create }));
    faults.push({ id: fault.id, create });
  }
  const file = diffId
    ? await must(
        'read the differential package',
        admin.GET('/api/v1/products/{productId}/packages/{packageId}/diffs/{diffId}', {
          params: { path: { productId, packageId: pkg.id, diffId } },
        }),
      )
    : pkg;
  return {
    productId,
    taskId: task.id,
    firmware: scenario.diff === 'wrong-base' ? damaged(current) : current,
    file: {
      size: file.size,
      md5: file.md5,
      target: pkg.targetVersion,
      ...('format' in file ? { format: file.format } : {}),
    },
    image: { size: pkg.size, md5: md5Hex(target) },
    strategy: task.strategy,
    faults,
  };
}

/** The data of a successful call, or a SetupError naming the step and the platform's answer. */
export async function must<T>(
  step: string,
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new SetupError(`could not ${step}: ${response.status} ${JSON.stringify(error)}`);
  return data as T;
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
  admin: OneNetClient,
  productId: string,
  packageId: string,
  initialVersion: string,
): Promise<string> {
  // A generation request is answered 202 with a job (an upload would be 201 with the package).
  let job = (await must(
    'generate the differential package',
    admin.POST('/api/v1/products/{productId}/packages/{packageId}/diffs', {
      params: { path: { productId, packageId } },
      body: { initialVersion },
    }),
  )) as Schemas['Job'];
  for (let tries = 0; job.status === 'queued' || job.status === 'running'; tries++) {
    if (tries > 2000) throw new SetupError('diff generation did not finish');
    await new Promise((resolve) => setTimeout(resolve, 5));
    job = await must('poll the diff job', admin.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: job.id } } }));
  }
  if (job.status !== 'succeeded' || !job.result)
    throw new SetupError(`diff generation failed: ${JSON.stringify(job.error)}`);
  return job.result.diffId;
}

/**
 * A rule's fault, aimed at the operation of the device's generation that plays the same part: a fault on
 * `downloadPackage` lands on `fuseDownloadPackage` for a device on the new platform.
 */
function inGeneration(fault: FaultCreate, generation: Generation): FaultCreate {
  const operation = fault.match?.operation;
  if (generation === 'legacy' || !operation) return fault;
  const part = canonical(operation);
  const named = `${generation}${part.charAt(0).toUpperCase()}${part.slice(1)}`;
  const renamed = part === 'reportProgress' ? `${generation}ReportStatus` : named;
  return renamed in operations ? { ...fault, match: { ...fault.match, operation: renamed as OperationId } } : fault;
}
