import type { JournalEntry, Platform } from '@onenet-ota/mock-server';
import { operations, ProblemType } from '@onenet-ota/openapi/protocol';
import { createManagementClient, type OneNetClient } from '@onenet-ota/sdk';
import { credentials, must } from './scenario.ts';

/** The platform as one case sees it: the device's door, the suite's management client, and the journal. */
export interface Observed {
  /** The platform with its `fetch` wrapped, for the device's door (HTTP server or in process). */
  platform: Platform;
  /** Management and `/__mock` calls of the suite, straight to the platform (not observed). */
  admin: OneNetClient;
  /** Called with each device request as soon as it is answered, before the device sees the answer. */
  onRequest: ((entry: JournalEntry) => Promise<void>) | undefined;
  /** The device's requests answered so far in this case. */
  seen: JournalEntry[];
  /**
   * The device's whole journal, read again at the end of a case (bytes sent and aborts filled in): its calls, and
   * its requests the platform could not take (`strays`: unreadable as HTTP, or for a path no operation answers).
   */
  journal(): Promise<{ calls: JournalEntry[]; strays: JournalEntry[] }>;
  /** Starts watching a new case: forgets what was seen (the case's setup has just emptied the journal). */
  begin(): void;
}

// A request the platform could not take: one the node door could not read (a lower-case method, a space in the
// path) or for a path no operation answers, both journaled without an operation, and one whose body did not
// come whole (fewer bytes than its Content-Length), journaled under its operation. All carry the request's device.
const isStray = (e: JournalEntry) =>
  (e.operation === null && e.transport === undefined) ||
  (e.response.body?.json as { type?: unknown } | undefined)?.type === ProblemType.BodyIncomplete;

// The device's MQTT exchanges (its CONNECTs, the informs it got and its replies) are its calls too; a request whose
// body never came whole is not a call it made, only a stray.
const isDeviceCall = (e: JournalEntry) =>
  e.transport === 'mqtt' ||
  (e.operation !== null && operations[e.operation as keyof typeof operations]?.tag.startsWith('device') && !isStray(e));

/**
 * Wraps a platform so the runner sees every device request as soon as it is answered. It reads what happened
 * from the platform's public journal API (`GET /__mock/journal`), never from the platform's internals.
 */
export function observe(platform: Platform): Observed {
  const admin = createManagementClient({ baseUrl: 'http://conformance.invalid', fetch: (r) => platform.fetch(r) });
  let since = 0;
  // One read of the journal at a time, so two answers in flight never see the same entries twice.
  let reading: Promise<void> = Promise.resolve();
  const readNew = async () => {
    const calls: JournalEntry[] = [];
    for (;;) {
      const page = await must(
        'read the journal',
        admin.GET('/__mock/journal', { params: { query: { devId: credentials.devId, since } } }),
      );
      calls.push(...page.entries.filter(isDeviceCall));
      // A read cut at its size bound goes on from its last entry.
      if (!page.truncated) {
        since = page.nextSeq - 1;
        return calls;
      }
      since = page.entries.at(-1)?.seq ?? since;
    }
  };
  const observed: Observed = {
    platform: {
      ...platform,
      fetch: async (request, extra) => {
        const response = await platform.fetch(request, extra);
        if (new URL(request.url).pathname.startsWith('/__mock/')) return response;
        const step = reading.then(async () => {
          for (const entry of await readNew()) {
            observed.seen.push(entry);
            await observed.onRequest?.(entry);
          }
        });
        reading = step.catch(() => {});
        await step;
        return response;
      },
    },
    admin,
    onRequest: undefined,
    seen: [],
    async journal() {
      // Page by `seq` until a page comes back short: no cap cuts a long case's evidence.
      const calls: JournalEntry[] = [];
      const strays: JournalEntry[] = [];
      for (let after = 0, limit = 10_000; ; ) {
        const page = await must(
          'read the journal',
          admin.GET('/__mock/journal', { params: { query: { devId: credentials.devId, since: after, limit } } }),
        );
        calls.push(...page.entries.filter(isDeviceCall));
        strays.push(...page.entries.filter(isStray));
        if (page.entries.length < limit && !page.truncated) return { calls, strays };
        after = page.entries.at(-1)?.seq ?? after;
      }
    },
    begin() {
      observed.seen = [];
      observed.onRequest = undefined;
    },
  };
  return observed;
}
