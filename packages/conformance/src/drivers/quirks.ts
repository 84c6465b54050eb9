import { type OperationId, operations, ProgressErrno, ResultCode, TokenCheckErrno } from '@onenet-ota/openapi/protocol';
import { type AgentStore, contentRange, type FetchLike, type OtaAgentOptions, rangeBounds } from '@onenet-ota/sdk';
import { canonical } from '../evidence.ts';

/**
 * Deliberate protocol mistakes the reference agent can be made to commit, one at a time, so the suite can prove
 * that each rule catches the mistake it is about (a "mutant" device). The agent has no switch for any of them:
 * {@link withQuirks} makes each one by wrapping what the agent talks through — its fetch, its store, its sensors
 * and its image check — so the shipped SDK carries no defect and a mutant is the real agent plus one lie.
 */
export type Quirk =
  /** Never calls token check (answers itself "0"). */
  | 'skip-token-check'
  /** Keeps downloading with a token the platform says expired (12). */
  | 'reuse-expired-token'
  /** After a failed fragment, starts the whole download again from byte 0. */
  | 'restart-from-zero'
  /** Accepts a 206 whatever its `Content-Range` says. */
  | 'ignore-content-range'
  /** Installs without comparing the package's md5. */
  | 'skip-md5'
  /** Reports 201 without having reported 101. */
  | 'skip-101'
  /** Reports one progress step lower than the one before. */
  | 'progress-down'
  /** Downloads whatever its battery and signal. */
  | 'ignore-thresholds'
  /** Retries at once and up to 50 times, ignoring `retry` and `interval`. */
  | 'ignore-retry-policy'
  /** Reports a failure (107) when the task is canceled. */
  | 'report-after-cancel'
  /** Checks without `cdn` and posts its JSON reports without `Content-Type`, as hand-written clients do. */
  | 'bare-requests';

/**
 * Every quirk, for command lines and test matrices.
 *
 * @example
 * for (const quirk of quirks) await runConformance({ device: agentDevice({ quirks: [quirk] }) });
 */
export const quirks: readonly Quirk[] = [
  'skip-token-check',
  'reuse-expired-token',
  'restart-from-zero',
  'ignore-content-range',
  'skip-md5',
  'skip-101',
  'progress-down',
  'ignore-thresholds',
  'ignore-retry-policy',
  'report-after-cancel',
  'bare-requests',
];

/**
 * The device operations a quirk lies about, told apart by the spec's paths; a Studio or new-platform operation
 * counts as the legacy one of the same part (`fuseDownloadPackage` as `downloadPackage`).
 */
const watched = ['checkTask', 'checkToken', 'downloadPackage', 'reportProgress'] as const;
type Watched = (typeof watched)[number];
const routes = (Object.keys(operations) as OperationId[])
  .filter((id) => (watched as readonly string[]).includes(canonical(id)))
  .map((id) => ({
    id: canonical(id) as Watched,
    method: operations[id].method,
    path: new RegExp(`^${operations[id].path.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
    carriesToken: operations[id].path.includes('{token}'),
  }));

function operationOf(request: Request): { id: Watched; token?: string } | undefined {
  const { pathname } = new URL(request.url);
  for (const route of routes) {
    const match = request.method === route.method ? route.path.exec(pathname) : null;
    if (match)
      return match[1] === undefined || !route.carriesToken ? { id: route.id } : { id: route.id, token: match[1] };
  }
  return undefined;
}

const answer = (body: object) =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });

/** The response's JSON body, or undefined when it has none; the response itself stays unread. */
async function peek(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await response.clone().json();
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The same response with another JSON body (and without the old `Content-Length`). */
function withBody(response: Response, body: object): Response {
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(body), { status: response.status, headers });
}

/** A progress report for the token and device of `request` (signed with its Authorization), with this step. */
function report(request: Request, token: string, step: number): Request {
  const asked = new URL(request.url);
  const url = new URL(operations.reportProgress.path.replace('{token}', token), asked);
  url.search = asked.search;
  return new Request(url, {
    method: operations.reportProgress.method,
    headers: { authorization: request.headers.get('authorization') ?? '', 'content-type': 'application/json' },
    body: JSON.stringify({ step }),
  });
}

/** Sends a request the agent never made, and forgets its answer. */
const aside = (fetch: FetchLike, request: Request) => fetch(request).then((response) => response.body?.cancel());

/**
 * The agent's options with these quirks committed. The client must be given as options (not a ready client),
 * so its fetch can be wrapped.
 *
 * @example
 * const agent = new OtaAgent(withQuirks(options, ['skip-md5']));
 */
export function withQuirks(options: OtaAgentOptions, chosen: readonly Quirk[]): OtaAgentOptions {
  if (chosen.length === 0) return options;
  if ('GET' in options.client) throw new TypeError('quirks wrap the client options, not a ready client');
  const has = (quirk: Quirk) => chosen.includes(quirk);
  const inner: FetchLike = options.client.fetch ?? ((request) => globalThis.fetch(request));
  let lastStep = 0;
  let reportedAfterCancel = false;

  const fetch: FetchLike = async (asked) => {
    const request = has('bare-requests') ? await bare(asked) : asked;
    const operation = operationOf(request);
    if (operation?.id === 'checkToken' && has('skip-token-check'))
      return answer({ errno: TokenCheckErrno.Success, error: 'succ' });
    let step: number | undefined;
    if (operation?.id === 'reportProgress') {
      step = (
        (await request
          .clone()
          .json()
          .catch(() => ({}))) as { step?: number }
      ).step;
      if (step === ResultCode.Downloaded && has('skip-101'))
        return answer({ errno: ProgressErrno.Success, error: 'succ' });
      if (step !== undefined && step < ResultCode.Downloaded && lastStep > 0 && has('progress-down'))
        await aside(inner, report(request, operation.token as string, lastStep - 1));
    }
    const response = await inner(request);
    if (!operation) return response;
    const body = await peek(response);
    if (operation.id === 'checkTask' && has('ignore-retry-policy') && body?.data)
      return withBody(response, { ...body, data: { ...(body.data as object), retry: 50, interval: 0 } });
    if (operation.id === 'checkToken' && body?.errno === TokenCheckErrno.TokenExpired && has('reuse-expired-token'))
      return withBody(response, { errno: TokenCheckErrno.Success, error: 'succ' });
    const canceled =
      (operation.id === 'checkToken' && body?.errno === TokenCheckErrno.TaskCanceled) ||
      (operation.id === 'reportProgress' && body?.errno === ProgressErrno.TaskCanceled);
    if (canceled && has('report-after-cancel') && !reportedAfterCancel) {
      reportedAfterCancel = true;
      await aside(inner, report(request, operation.token as string, ResultCode.DownloadFailed));
    }
    if (operation.id === 'reportProgress' && body?.errno === ProgressErrno.Success && step !== undefined)
      lastStep = step < ResultCode.Downloaded ? step : lastStep;
    if (operation.id === 'downloadPackage' && response.status === 206 && has('ignore-content-range'))
      return claimingAsked(request, response);
    return response;
  };

  const mutant: OtaAgentOptions = { ...options, client: { ...options.client, fetch } };
  if (has('ignore-thresholds')) {
    delete mutant.power;
    delete mutant.signal;
  }
  if (has('skip-md5')) mutant.verify = async () => {};
  if (has('restart-from-zero')) mutant.store = forgetting(options.store);
  return mutant;
}

/** The request without a `cdn` parameter and, for a POST, without `Content-Type` (its body sent as bytes). */
async function bare(request: Request): Promise<Request> {
  const url = new URL(request.url);
  url.searchParams.delete('cdn');
  if (request.method !== 'POST') return new Request(url, request);
  const headers = new Headers(request.headers);
  headers.delete('content-type');
  // Bytes, not text: a string body would be sent as text/plain.
  return new Request(url, { method: 'POST', headers, body: await request.arrayBuffer() });
}

/** The 206 as if its `Content-Range` were the one asked for (a device that never reads it sees nothing else). */
function claimingAsked(request: Request, response: Response): Response {
  const asked = rangeBounds(request.headers.get('range') ?? '');
  const total = contentRange(response.headers.get('content-range'))?.length ?? 0;
  const headers = new Headers(response.headers);
  headers.set('content-range', `bytes ${asked?.first}-${Math.min(asked?.last ?? total - 1, total - 1)}/${total}`);
  return new Response(response.body, { status: 206, headers });
}

/**
 * A store that forgets the offset whenever a retry is counted. The agent saves its live state object right after
 * counting a retry, so setting its offset to 0 there is exactly a device that restarts the download from byte 0.
 */
function forgetting(store: AgentStore | undefined): AgentStore | undefined {
  if (!store) throw new TypeError('restart-from-zero needs the store the agent uses');
  let retries = 0;
  return {
    async load() {
      const state = await store.load();
      retries = state?.retriesUsed ?? 0;
      return state;
    },
    save(state) {
      if (state.retriesUsed > retries) state.offset = 0;
      retries = state.retriesUsed;
      return store.save(state);
    },
    write: (offset, bytes) => store.write(offset, bytes),
    read: (size) => store.read(size),
    clear: () => store.clear(),
  };
}
