import type { JournalEntry } from '../core/journal/journal.ts';
import { summarizeBody } from '../core/journal/journal.ts';

/**
 * A journal entry for a PUBLISH on the MQTT door (an inform the platform sends, a post a device sends): the
 * message as its request, no answer yet. Its caller completes it with the answer (a reply, a code).
 */
export function publishEntry(
  now: number,
  devId: number,
  operation: NonNullable<JournalEntry['operation']>,
  topic: string,
  payload: Uint8Array,
): Omit<JournalEntry, 'seq'> {
  return {
    time: new Date(now).toISOString(),
    wallTime: new Date().toISOString(),
    durationMs: 0,
    devId,
    operation,
    transport: 'mqtt',
    request: {
      method: 'PUBLISH',
      path: topic,
      query: {},
      headers: {},
      body: summarizeBody(payload, 'application/json'),
    },
    response: { status: 0, headers: {}, bytesSent: 0 },
    faults: [],
  };
}
