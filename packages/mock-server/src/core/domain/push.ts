import { ExchangeName, OtaPushType } from '@onenet-ota/openapi/protocol';
import { type components, md5Hex } from '@onenet-ota/sdk';
import type { Context, PushFetch } from '../context.ts';
import { type JournalEntry, summarizeBody } from '../journal/journal.ts';
import type { DeviceMove } from './events.ts';
import { randomAlphanumeric } from './ids.ts';

type OtaPushTask = components['schemas']['OtaPushTask'];

/** A product's push receiver, as the platform keeps it. */
export type PushReceiver = Required<components['schemas']['PushReceiver']>;

const md5Text = (text: string) => md5Hex(new TextEncoder().encode(text));

/**
 * The legacy platform's verification of a receiver URL (protocol §2.13): `GET {url}?signature=md5(token + uid)`,
 * which must answer the body `PASSED`. Journaled (`otaPushVerify`); returns why it failed, or undefined.
 */
export async function verifyReceiver(
  ctx: Context,
  send: PushFetch,
  receiver: PushReceiver,
): Promise<string | undefined> {
  const url = new URL(receiver.url);
  url.searchParams.set('signature', md5Text(receiver.token + String(receiver.uid)));
  const { entry, answer } = await attempt(ctx, send, new Request(url, { method: 'GET' }), ExchangeName.OtaPushVerify);
  const failure =
    answer === undefined
      ? entry.note
      : answer.trim() === 'PASSED'
        ? undefined
        : `it answered ${JSON.stringify(answer.slice(0, 100))}, not PASSED`;
  if (failure && !entry.note) entry.note = failure;
  ctx.journal.complete(entry);
  return failure;
}

/**
 * Pushes task messages to the receivers of the products that have one: type 1 when a task starts, 2 when a device
 * begins downloading, 3 when it has downloaded, 4 when it upgraded. Messages of a product go out one after
 * another, in order; a failed delivery is tried again after each of `retryDelaysMs`.
 */
export function startPushing(ctx: Context, send: PushFetch, retryDelaysMs: readonly number[] = [1000, 5000]): void {
  const queues = new Map<string, Promise<void>>();
  /** Queues a message for the product's receiver, if it has one, behind the product's earlier messages. */
  const push = (productId: string, fields: Pick<OtaPushTask, 'dids' | 'type' | 'startTime' | 'version'>) => {
    const receiver = ctx.state.products.get(productId)?.push;
    if (!receiver) return;
    const msg: OtaPushTask = {
      uid: receiver.uid,
      // The demo receiver reads the product id as a number (`getLong("pid")`); OneNET's are digits.
      pid: /^\d{1,15}$/.test(productId) ? Number(productId) : productId,
      at: ctx.clock.now(),
      ...fields,
    };
    const previous = queues.get(productId) ?? Promise.resolve();
    queues.set(
      productId,
      previous.then(() => deliver(ctx, send, receiver, msg, retryDelaysMs)),
    );
  };
  ctx.events.onTaskStarted((task, devIds) => {
    const startTime = task.startedAt ?? ctx.clock.now();
    push(task.productId, { dids: [...devIds], type: OtaPushType.NewTask, startTime, version: task.targetVersion });
  });
  ctx.events.onDeviceMoved((move: DeviceMove) => {
    const type = pushTypeOf(move);
    if (type === undefined) return;
    const version = type === OtaPushType.Upgraded ? { version: move.task.targetVersion } : {};
    push(move.task.productId, { dids: [move.deviceTask.devId], type, ...version });
  });
}

function pushTypeOf({ from, to }: DeviceMove): OtaPushType | undefined {
  if (to === 'downloading' && from === 'pending') return OtaPushType.DownloadStarted;
  if (to === 'upgrading' && from === 'downloading') return OtaPushType.Downloaded;
  if (to === 'succeeded') return OtaPushType.Upgraded;
  return undefined;
}

async function deliver(
  ctx: Context,
  send: PushFetch,
  receiver: PushReceiver,
  msg: OtaPushTask,
  retryDelaysMs: readonly number[],
): Promise<void> {
  const text = JSON.stringify(msg);
  const nonce = randomAlphanumeric(12);
  // Built as text so `msg` goes out exactly as signed: a receiver verifies the raw text it got.
  const body = `{"signature":"${md5Text(receiver.token + nonce + text)}","nonce":"${nonce}","msg":${text}}`;
  for (let tried = 0; ; tried++) {
    const request = new Request(receiver.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    const { entry, ok } = await attempt(
      ctx,
      send,
      request,
      ExchangeName.OtaPushTask,
      body,
      msg.dids.length === 1 ? msg.dids[0] : undefined,
    );
    const delay = retryDelaysMs[tried];
    if (!ok && delay !== undefined) entry.note = `${entry.note}; tried again in ${delay / 1000} s`;
    ctx.journal.complete(entry);
    if (ok || delay === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** One request to a receiver, journaled: what was sent, what came back (or why nothing did). */
async function attempt(
  ctx: Context,
  send: PushFetch,
  request: Request,
  operation: ExchangeName,
  body?: string,
  devId?: number,
): Promise<{ entry: JournalEntry; ok: boolean; answer?: string }> {
  const url = new URL(request.url);
  const started = performance.now();
  const entry = ctx.journal.add({
    time: new Date(ctx.clock.now()).toISOString(),
    wallTime: new Date().toISOString(),
    durationMs: 0,
    ...(devId === undefined ? {} : { devId }),
    operation,
    transport: 'push',
    request: {
      method: request.method,
      path: `${url.origin}${url.pathname}`,
      query: Object.fromEntries(url.searchParams),
      headers: {},
      ...(body ? { body: summarizeBody(new TextEncoder().encode(body), 'application/json') } : {}),
    },
    response: { status: 0, headers: {}, bytesSent: 0 },
    faults: [],
  });
  try {
    const response = await send(request);
    const answer = (await response.text()).slice(0, 4096);
    entry.durationMs = performance.now() - started;
    entry.response = {
      status: response.status,
      headers: {},
      bytesSent: 0,
      body: summarizeBody(new TextEncoder().encode(answer), response.headers.get('content-type') ?? 'text/plain'),
    };
    const ok = response.status >= 200 && response.status < 300;
    if (!ok) entry.note = `the receiver answered ${response.status}`;
    return { entry, ok, answer };
  } catch (error) {
    entry.durationMs = performance.now() - started;
    // fetch says only "fetch failed"; why (refused, a bad port, DNS) is in its cause.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message;
    entry.note = `no answer: ${error instanceof Error ? error.message : String(error)}${why ? ` (${why})` : ''}`;
    return { entry, ok: false };
  }
}
