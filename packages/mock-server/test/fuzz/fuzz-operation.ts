import type { OperationRef } from '@onenet-ota/openapi/document';
import { productResource, signToken } from '@onenet-ota/sdk';
import fc from 'fast-check';
import { createPlatform, demo, demoImage, type Platform, type PlatformOptions } from '../../src/index.ts';
import { startServer } from '../../src/node.ts';
import { checkAgainstSpec } from '../harness.ts';
import { type FuzzPools, type FuzzRequest, requestArbitrary } from './request-arbitrary.ts';

/** What fuzzing one operation found. */
export interface FuzzOutcome {
  operationId: string;
  requests: number;
  /** Statuses answered, with counts: shows the fuzz reached past validation. */
  statuses: Record<number, number>;
  /** The smallest failing request and what was wrong with it, or nothing. */
  failure?: string;
  /** Handlers that threw (the journal's `exception`), whatever the answer said. */
  exceptions: string[];
}

/**
 * Fuzzes one operation against a real `ota-mock` server on 127.0.0.1 holding the demo seed plus a group, a second
 * package, a patch, a snapshot and an issued upgrade token (so ids in paths reach real records). Every answer
 * must come (no dropped connection, no hang), be documented for the operation, validate against the spec, and not
 * be a 500; no handler may throw.
 */
export async function fuzzOperation(
  op: OperationRef,
  runs: number,
  seed: number,
  options: { platform?: PlatformOptions; inspect?: (platform: Platform) => void | Promise<void> } = {},
): Promise<FuzzOutcome> {
  const platform = createPlatform({ seed: 'demo', ...options.platform });
  const server = await startServer({ platform, port: 0 });
  const statuses: Record<number, number> = {};
  let requests = 0;
  try {
    const authorization = await signToken({
      accessKey: demo.productKey,
      res: productResource(demo.productId),
      et: Math.floor(platform.clock.now() / 1000) + 3600 * 24 * 365,
    });
    const pools = await prepare(server.url, authorization);
    const control = op.path.startsWith('/__mock/');
    const details = await fc.check(
      fc.asyncProperty(requestArbitrary(op, pools, authorization), async (request) => {
        requests++;
        const problems = await send(server.url, request, statuses);
        // A fault added by the fuzz would act on the next requests (delays, resets): each case starts clean. Cleared
        // through the control API, so a platform on a data directory writes it too (a direct clear left the store
        // holding a fault the live platform no longer had).
        if (control) await fetch(`${server.url}/__mock/faults`, { method: 'DELETE' });
        if (problems.length > 0) throw new Error(problems.join('; '));
      }),
      { numRuns: runs, seed },
    );
    await options.inspect?.(platform);
    const exceptions = platform.journal
      .query({ limit: 100_000 })
      .entries.filter((e) => e.exception)
      .map((e) => `${e.request.method} ${e.request.path}: ${e.exception?.split('\n')[0]}`);
    return {
      operationId: op.operationId,
      requests,
      statuses,
      exceptions,
      ...(details.failed ? { failure: failureReport(details) } : {}),
    };
  } finally {
    await server.close();
  }
}

async function send(base: string, r: FuzzRequest, statuses: Record<number, number>): Promise<string[]> {
  const url = `${base}${r.path}${r.query.length > 0 ? `?${new URLSearchParams(r.query)}` : ''}`;
  const request = new Request(url, {
    method: r.method,
    headers: r.headers,
    ...(r.body ? { body: r.body as BodyInit } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  let response: Response;
  try {
    response = await fetch(request.clone());
  } catch (error) {
    const cause = error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error);
    return [`${r.method} ${r.path}: no answer (${cause})`];
  }
  statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  // Node's HTTP parser refuses a header section past 16 KiB with 431 before any operation sees it (DECISIONS
  // 42); fetch adds about 150 bytes of its own headers to what is counted here.
  const headerBytes = url.length + Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  if (response.status === 431) {
    await response.body?.cancel();
    return headerBytes > 16 * 1024 - 512 ? [] : [`${r.method} ${r.path}: 431 for ${headerBytes} bytes of headers`];
  }
  const problems = await checkAgainstSpec(request, response);
  if (response.status === 500) problems.push(`${r.method} ${r.path}: 500`);
  return problems;
}

/** Adds what the demo seed lacks, through the API, and returns the ids that exist, by path parameter name. */
async function prepare(base: string, authorization: string): Promise<FuzzPools> {
  const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization },
      ...(body !== undefined
        ? {
            body: (type === 'application/json' ? JSON.stringify(body) : body) as BodyInit,
            headers: { 'content-type': type },
          }
        : {}),
    });
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
    return response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
  };
  const product = `/api/v1/products/${demo.productId}`;
  const group = await call('POST', `${product}/groups`, { name: 'fuzz-group', devIds: [demo.devId] });
  const query = new URLSearchParams({ name: 'fuzz-3.0', module: 'sota', targetVersion: 'V3.0', fileName: 'f.bin' });
  const pkg = await call('POST', `${product}/packages?${query}`, demoImage(8192, 3), 'application/octet-stream');
  const diff = await call(
    'POST',
    `${product}/packages/${pkg.id}/diffs?initialVersion=V1.0&fileName=f.patch`,
    demoImage(512, 4),
    'application/octet-stream',
  );
  const snapshot = await call('POST', '/__mock/snapshots');
  const fault = await call('POST', '/__mock/faults', { match: { devId: 1 }, action: { kind: 'ignore-range' } });
  // The demo device checks its task: its upgrade token is in the pool, so downloads and reports reach the task.
  const check = await call(
    'GET',
    `/ota/south/check?dev_id=${demo.devId}&manuf=${demo.manuf}&model=${demo.model}&type=2&version=${demo.fromVersion}`,
  );
  const token = String((check.data as { token?: string } | undefined)?.token);
  await call('GET', `/ota/south/download/${token}/check?dev_id=${demo.devId}`);
  const ids = {
    token: [token],
    productId: [demo.productId],
    devId: [String(demo.devId)],
    dev_id: [String(demo.devId)],
    groupId: [String(group.id)],
    packageId: ['pkg_1', String(pkg.id)],
    diffId: [String(diff.id)],
    taskId: ['tsk_1'],
    snapshotId: [String(snapshot.id)],
    faultId: [String(fault.id)],
    jobId: ['job_1'],
    manuf: [demo.manuf],
    model: [demo.model],
    version: [demo.fromVersion],
  };
  const values = {
    packageId: ids.packageId,
    diffId: ids.diffId,
    devId: [demo.devId],
    devIds: [[demo.devId]],
    groupIds: [[String(group.id)]],
    initialVersion: [demo.fromVersion],
    targetVersion: [demo.targetVersion, 'V3.0'],
  };
  return { params: ids, values };
}

// fast-check's report with what was wrong: the counterexample, shortened, then the problems the judge found.
function failureReport(details: fc.RunDetails<[FuzzRequest]>): string {
  const shorten = (text: string) => text.replace(/(.)\1{40,}/g, (run, c: string) => `${c}×${run.length}`);
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return shorten(`${fc.defaultReportMessage(details) ?? 'failed'}\n${error}`);
}
