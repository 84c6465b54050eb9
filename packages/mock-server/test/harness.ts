import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatErrors } from '@onenet-ota/openapi/document';
import {
  createDeviceClient,
  createManagementClient,
  type FetchLike,
  type OneNetClient,
  type OperationId,
  productResource,
  signToken,
} from '@onenet-ota/sdk';
import { expect } from 'vitest';
import { allowedMethods, route } from '../src/core/http/router.ts';
import { operationSpec, specValidator } from '../src/core/http/spec.ts';
import { createPlatform, demo, type Platform, type PlatformOptions } from '../src/index.ts';
import { type RunningServer, startServer } from '../src/node.ts';

/** A platform behind a real HTTP server on 127.0.0.1, with clients whose every answer is checked against the spec. */
export interface Harness {
  platform: Platform;
  server: RunningServer;
  url: string;
  /** Product-level device client for the demo product, on the platform's clock. */
  device: OneNetClient;
  admin: OneNetClient;
  /** `fetch` that validates every answer against the spec. */
  fetch: FetchLike;
  /** What the spec check found wrong so far; `close()` fails the test unless it is empty. */
  violations: string[];
  close(): Promise<void>;
}

export async function startHarness(options: PlatformOptions = { seed: 'demo' }): Promise<Harness> {
  // Push receivers (legacy §2.13) are reached only on this machine: a fuzzed receiver URL never goes to the network.
  const pushFetch = async (request: Request) => {
    if (new URL(request.url).hostname !== '127.0.0.1')
      throw new TypeError('fetch failed', { cause: new Error('the test harness reaches only 127.0.0.1') });
    return globalThis.fetch(request);
  };
  const platform = createPlatform({ validateResponses: 'off', pushFetch, ...options });
  const server = await startServer({ platform, port: 0 });
  const violations: string[] = [];
  const checks: Promise<void>[] = [];
  // The check reads a clone in the background, so the caller streams the answer as it arrives; a body cut short
  // by a fault cannot be judged and is skipped.
  const fetch: FetchLike = async (request) => {
    const response = await globalThis.fetch(request);
    const copy = response.clone();
    checks.push(checkAgainstSpec(request, copy).then((found) => void violations.push(...found)));
    return response;
  };
  return {
    platform,
    server,
    url: server.url,
    device: createDeviceClient({
      baseUrl: server.url,
      productId: demo.productId,
      accessKey: demo.productKey,
      now: platform.clock.now,
      fetch,
    }),
    admin: createManagementClient({ baseUrl: server.url, fetch }),
    fetch,
    violations,
    async close() {
      await server.close();
      await Promise.all(checks);
      expect(violations, 'answers that break the spec').toEqual([]);
      const bugs = platform.journal.query({ limit: 100_000 }).entries.filter((e) => e.exception);
      expect(
        bugs.map((e) => `#${e.seq} ${e.operation}: ${e.exception}`),
        'handlers that threw',
      ).toEqual([]);
    },
  };
}

/**
 * Checks an answer against the spec: a JSON body against the operation's schema for that status and media
 * type; a download's `Content-Range` against its pattern and `Content-Length` against the bytes received.
 */
export async function checkAgainstSpec(request: Request, response: Response): Promise<string[]> {
  // Read the whole body first (an event stream: its opening): an unread clone would hold the connection, and
  // every branch below needs it.
  let bytes: Uint8Array;
  try {
    bytes = await readAnswer(response);
  } catch {
    return []; // cut short by a fault (reset, truncate): nothing whole to judge
  }
  const url = new URL(request.url);
  // HEAD is judged as its GET without the body (RFC 9110 §9.3.2; the spec documents GET): a 405 to a GET that
  // answers no file, or the GET's status and headers, Content-Length saying what the GET would send.
  const head = request.method === 'HEAD';
  const matched = route(head ? 'GET' : request.method, url.pathname);
  const where = `${request.method} ${url.pathname} → ${response.status}`;
  if (!matched)
    return response.status === 405
      ? wrongMethodProblems(where, url, response, bytes)
      : response.status === 404
        ? []
        : [`${where}: no operation`];
  if (head) {
    if (bytes.length > 0) return [`${where}: a body in an answer to HEAD`];
    if (response.status === 405) return response.headers.get('allow') === 'GET' ? [] : [`${where}: no Allow: GET`];
    const headers = checkHeaders(where, response, matched.operationId, String(response.status));
    return [...headers, ...contentRangeProblems(where, response)];
  }
  const responses = operationSpec(matched.operationId).responses;
  const documented = responses[String(response.status)] ?? responses[`${String(response.status)[0]}XX`];
  if (!documented) return [`${where}: status ${response.status} is not documented`];
  const media = (response.headers.get('content-type') ?? '').split(';')[0] ?? '';
  if (Object.keys(documented).length === 0)
    return bytes.length === 0 ? [] : [`${where}: a body where the spec has none`];
  const pointer = documented[media];
  if (!pointer) return [`${where}: ${media || 'no body'} is not a documented answer`];
  const headerProblems = checkHeaders(where, response, matched.operationId, String(response.status));
  if (headerProblems.length > 0) return headerProblems;
  if (media === 'application/octet-stream') {
    const problems = contentRangeProblems(where, response);
    if (response.status === 206 && !response.headers.get('content-range')) problems.push(`${where}: no Content-Range`);
    if (Number(response.headers.get('content-length')) !== bytes.length)
      problems.push(`${where}: Content-Length differs from ${bytes.length} bytes`);
    return problems;
  }
  const text = new TextDecoder().decode(bytes);
  let body: unknown = text;
  if (media === 'text/event-stream' && !/^(:|id:|event:|data:|retry:)/.test(text))
    return [`${where}: an event stream that opens with ${JSON.stringify(text.slice(0, 40))}`];
  try {
    if (!media.startsWith('text/')) body = JSON.parse(text);
  } catch {
    return [`${where}: ${media} body is not JSON: ${text.slice(0, 100)}`];
  }
  const validate = specValidator().at(pointer);
  return validate(body) ? [] : [`${where}: ${formatErrors(validate)} in ${text.slice(0, 300)}`];
}

/**
 * A 405 to a path asked with another method: `Allow` lists what the path answers, and the body is what a caller of
 * that path parses: the envelope of the path's own operation for a device, a problem otherwise.
 */
function wrongMethodProblems(where: string, url: URL, response: Response, bytes: Uint8Array): string[] {
  const allow = allowedMethods(url.pathname);
  if (response.headers.get('allow') !== allow.join(', ')) return [`${where}: Allow is not ${allow.join(', ')}`];
  const sibling = route(allow[0] ?? '', url.pathname);
  const media = (response.headers.get('content-type') ?? '').split(';')[0] ?? '';
  const pointer =
    media === 'application/problem+json'
      ? '#/components/schemas/Problem'
      : sibling && operationSpec(sibling.operationId).responses['200']?.['application/json'];
  if (!pointer) return [`${where}: ${media} is not an answer the path's callers parse`];
  const validate = specValidator().at(pointer);
  const body: unknown = JSON.parse(new TextDecoder().decode(bytes));
  return validate(body) ? [] : [`${where}: ${formatErrors(validate)}`];
}

/** A Content-Range that breaks the spec's `bytes s-e/len`, if the answer has one. */
function contentRangeProblems(where: string, response: Response): string[] {
  const range = response.headers.get('content-range');
  return range && !/^bytes \d+-\d+\/\d+$/.test(range) ? [`${where}: Content-Range "${range}" breaks the spec`] : [];
}

// The headers the operation's answer documents as required must be there and match their schema (an integer header
// such as Ota-Errno is read as its number).
function checkHeaders(where: string, response: Response, operationId: OperationId, status: string): string[] {
  const problems: string[] = [];
  for (const [name, header] of Object.entries(operationSpec(operationId).responseHeaders[status] ?? {})) {
    const value = response.headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`${where}: no ${name} header`);
      continue;
    }
    const validate = specValidator().at(header.schemaPointer);
    if (!validate(value) && !(/^-?\d+$/.test(value) && validate(Number(value))))
      problems.push(`${where}: header ${name} "${value}" breaks the spec: ${formatErrors(validate)}`);
  }
  return problems;
}

/**
 * An answer's body: all of it, or for a Server-Sent Events stream (which never ends by itself) what came with its
 * first chunk, after which the stream is cancelled.
 */
export async function readAnswer(response: Response): Promise<Uint8Array> {
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream'))
    return new Uint8Array(await response.arrayBuffer());
  const reader = response.body?.getReader();
  const first = await reader?.read();
  await reader?.cancel();
  return first?.value ?? new Uint8Array();
}

/** The demo device and its module as an `OtaAgent` names them (V1.0, the demo task's base). */
export const demoModule = {
  devId: demo.devId,
  type: 2,
  manuf: demo.manuf,
  model: demo.model,
  version: demo.fromVersion,
} as const;

/** The demo device's check query, with overrides. */
export function checkQuery(overrides: Record<string, unknown> = {}) {
  return {
    dev_id: demo.devId,
    manuf: demo.manuf,
    model: demo.model,
    type: 2 as const,
    version: demo.fromVersion,
    ...overrides,
  };
}

/**
 * The `Authorization` a device of the demo product sends (product-level token), valid for an hour of the
 * platform's time: for tests that write their requests byte by byte.
 */
export function demoAuthorization(platform: Platform): Promise<string> {
  return signToken({
    accessKey: demo.productKey,
    res: productResource(demo.productId),
    et: Math.floor(platform.clock.now() / 1000) + 3600,
  });
}

/** Checks the demo task and returns its token. */
export async function demoToken(h: Harness): Promise<string> {
  const { data } = await h.device.GET('/ota/south/check', { params: { query: checkQuery() } });
  const token = data?.data?.token;
  if (!token) throw new Error(`check failed: ${JSON.stringify(data)}`);
  return token;
}

/** Checks the demo token, moving the device to downloading. */
export async function checkDemoToken(h: Harness, token: string): Promise<number | undefined> {
  const { data } = await h.device.GET('/ota/south/download/{token}/check', {
    params: { path: { token }, query: { dev_id: demo.devId } },
  });
  return data?.errno;
}

/** Reports a step or status code for the demo device and returns the errno. */
export async function step(h: Harness, token: string, value: number): Promise<number | undefined> {
  const { data } = await h.device.POST('/ota/south/device/download/{token}/progress', {
    params: { path: { token }, query: { dev_id: demo.devId } },
    body: { step: value as 0 },
  });
  return data?.errno;
}

/** The demo device's state in the demo task. */
export function demoState(h: Harness): string | undefined {
  return h.platform.state.deviceTasks.get(`tsk_1/${demo.devId}`)?.state;
}

/** Uploads a package to a product through the management API (raw body, metadata in the query). */
export async function uploadPackage(
  h: Harness,
  bytes: Uint8Array,
  {
    productId = demo.productId,
    name,
    targetVersion = 'V9',
    module = 'sota',
  }: { productId?: string; name: string; targetVersion?: string; module?: string },
): Promise<Response> {
  const query = new URLSearchParams({ name, module, targetVersion, fileName: `${name}.bin` });
  return h.fetch(
    new Request(`${h.url}/api/v1/products/${productId}/packages?${query}`, {
      method: 'POST',
      body: bytes as BodyInit,
      headers: { 'Content-Type': 'application/octet-stream' },
    }),
  );
}

/** A harness on the demo seed whose device has checked its token: ready to download. */
export async function startDownloading(): Promise<{ h: Harness; token: string }> {
  const h = await startHarness();
  const token = await demoToken(h);
  await checkDemoToken(h, token);
  return { h, token };
}

/** The SDK's `ota-device` bin, for tests that run the reference device as a real process. */
export const otaDeviceBin = join(
  dirname(createRequire(import.meta.url).resolve('@onenet-ota/sdk/package.json')),
  'bin/ota-device.ts',
);
