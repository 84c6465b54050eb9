import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import type { JournalEntry } from '../core/journal/journal.ts';
import { params } from '../management/input.ts';

/** A comment line this often keeps proxies and browsers from closing a quiet stream. */
const keepAliveMs = 15_000;
/**
 * Events a reader may leave unread before the stream is ended; its `EventSource` reconnects with `Last-Event-ID`
 * and catches up from the journal, instead of the platform holding a stalled reader's backlog in memory.
 */
const maxBacklog = 5_000;

/**
 * `GET /__mock/events`: the journal as Server-Sent Events, each entry when it completes. An entry still streaming
 * when it is replayed comes again when it completes, with the same `id`: a reader keeps the last.
 */
export function streamEvents(call: Call, ctx: Context): Response {
  const p = params(call, 'streamEvents');
  const lastEventId = call.request.headers.get('last-event-id') ?? '';
  const since = (p.since as number | undefined) ?? (/^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : undefined);
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const write = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            // The reader went away without cancelling: stop following, never disturb the journal's other readers.
            stop();
          }
        };
        const send = (entry: JournalEntry) => {
          if ((controller.desiredSize ?? 0) < -maxBacklog) {
            stop();
            write('event: lagging\ndata: {}\n\n');
            controller.close();
            return;
          }
          write(`id: ${entry.seq}\nevent: entry\ndata: ${JSON.stringify(entry)}\n\n`);
        };
        // The first bytes go out at once, so a client sees the stream open before anything happens.
        write(': ota-mock events\nretry: 1000\n\n');
        if (since !== undefined) for (const entry of ctx.journal.query({ since, limit: 100_000 }).entries) send(entry);
        const unsubscribe = ctx.journal.onComplete(send);
        const timer = setInterval(() => write(': keep-alive\n\n'), keepAliveMs);
        stop = () => {
          unsubscribe();
          clearInterval(timer);
        };
      },
      cancel() {
        stop();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' } });
}
