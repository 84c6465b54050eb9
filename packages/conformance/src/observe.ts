import type { JournalEntry, Platform } from '@onenet-ota/mock-server';
import { operations } from '@onenet-ota/sdk';
import { identity } from './scenario.ts';

/** A platform wrapped so the runner sees each device request as soon as it is answered. */
export interface Observed {
  platform: Platform;
  onRequest: ((entry: JournalEntry) => Promise<void>) | undefined;
}

/** Wraps the platform so the runner sees every device request as soon as it is answered. */
export function observe(platform: Platform): Observed {
  const observed: Observed = {
    platform: {
      ...platform,
      fetch: async (request, extra) => {
        const response = await platform.fetch(request, extra);
        const entry = platform.journal.query({ since: 0 }).entries.at(-1);
        if (entry && observed.onRequest && !new URL(request.url).pathname.startsWith('/__mock/'))
          await observed.onRequest(entry);
        return response;
      },
    },
    onRequest: undefined,
  };
  return observed;
}

/** The device's southbound requests since the case's reset. */
export function deviceJournal(platform: Platform): JournalEntry[] {
  return platform.journal
    .query({ devId: identity.devId })
    .entries.filter(
      (e) => e.operation !== null && operations[e.operation as keyof typeof operations]?.tag.startsWith('device'),
    );
}
