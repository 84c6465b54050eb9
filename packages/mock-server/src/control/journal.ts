import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import type { JournalQuery } from '../core/journal/journal.ts';
import { noContent, params } from '../management/input.ts';

/** What one read of the journal returns at most; past it the answer says `truncated` (spec `Journal`). */
export const journalReadBytes = 16 * 1024 * 1024;
/** Entries made into JSON per turn of the event loop, so a long read never holds the devices' answers. */
const entriesPerTurn = 64;

/**
 * The journal, streamed as it is made: a read of 100 000 large entries built one string of gigabytes, and a
 * RangeError, while it held the platform for seconds (issue 28). Entries are read in small batches by `seq`, so
 * entries added or dropped meanwhile neither repeat nor shift the read; the read ends at `nextSeq` as it was when
 * it began, at `limit` entries, or past {@link journalReadBytes} with `truncated`.
 */
export function getJournal(call: Call, ctx: Context): Response {
  const p = params(call, 'getJournal');
  const filter: JournalQuery = {
    ...(p.devId !== undefined ? { devId: p.devId as number } : {}),
    ...(p.operation !== undefined ? { operation: p.operation as string } : {}),
  };
  const { nextSeq } = ctx.journal.query({ limit: 1, since: Number.MAX_SAFE_INTEGER });
  let since = (p.since as number | undefined) ?? 0;
  let left = (p.limit as number | undefined) ?? 10_000;
  let bytes = 0;
  let first = true;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('{"entries":['));
    },
    async pull(controller) {
      // A turn of the event loop between batches: the socket takes them as fast as they come, and without this a
      // page of 16 MiB would be made in one go while every device waited.
      await new Promise((resolve) => setImmediate(resolve));
      const { entries } = ctx.journal.query({ ...filter, since, limit: Math.min(entriesPerTurn, left) });
      let text = '';
      let truncated = false;
      for (const entry of entries) {
        if (entry.seq >= nextSeq) {
          left = 0;
          break;
        }
        const json = JSON.stringify(entry);
        if (bytes + json.length > journalReadBytes && !first) {
          truncated = true;
          break;
        }
        text += first ? json : `,${json}`;
        first = false;
        bytes += json.length;
        since = entry.seq;
        left--;
      }
      const done = truncated || left === 0 || entries.length < entriesPerTurn;
      if (done) text += `],"nextSeq":${nextSeq}${truncated ? ',"truncated":true' : ''}}`;
      if (text) controller.enqueue(encoder.encode(text));
      if (done) controller.close();
    },
  });
  return new Response(body, { headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } });
}

export function clearJournal(_call: Call, ctx: Context): Response {
  ctx.journal.clear();
  return noContent();
}
