import type { components } from '@onenet-ota/sdk';

/** One answered request (spec schema `JournalEntry`). */
export type JournalEntry = components['schemas']['JournalEntry'];

/**
 * The part of a journal entry the request log prints (`request-log.ts`): a whole `JournalEntry` is one, and
 * `HeldCall.toLogged` makes one without the rest, which cost more than all the platform's other work on a
 * task check (issue 30): only the `range` header, no answer headers or body.
 */
export type LoggedEntry = Pick<
  JournalEntry,
  | 'time'
  | 'durationMs'
  | 'devId'
  | 'operation'
  | 'errno'
  | 'note'
  | 'tolerated'
  | 'faults'
  | 'transport'
  | 'upstream'
  | 'range'
> & {
  request: Pick<JournalEntry['request'], 'method' | 'path' | 'query' | 'headers' | 'body'>;
  response: Pick<JournalEntry['response'], 'status' | 'bytesSent' | 'aborted'>;
};

/** The few facts of a completed entry a paced request log groups by, read without making the entry. */
export interface LogBrief {
  /** Platform time, Unix ms. */
  time: number;
  operation: string | null;
  devId: number | undefined;
  errno: number | undefined;
  status: number;
}
