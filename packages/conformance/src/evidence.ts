import type { JournalEntry } from '@onenet-ota/mock-server';
import { stateMachine } from '@onenet-ota/sdk';

// Readers over a case's journal, shared by the rules so each rule file holds only its judgement.

const canonical = (operation: string | null) => operation?.replace(/Legacy$/, '') ?? '';

/** A download request: the range asked for, what came back, with which token. */
export interface Download {
  seq: number;
  token: string;
  /** The Range header as sent, or undefined. */
  range: string | undefined;
  /** First and last byte asked for, when the header was well formed. */
  start?: number;
  end?: number;
  status: number;
  bytesSent: number;
  aborted: boolean;
  /** Platform time and wall time, ms. */
  time: number;
  wallTime: number;
}

const rangeForm = /^(?:bytes=)?(\d+)-(\d*)$/;

export function downloads(journal: JournalEntry[]): Download[] {
  return journal
    .filter((e) => canonical(e.operation) === 'downloadPackage')
    .map((e) => {
      const range = e.request.headers.range;
      const match = range ? rangeForm.exec(range) : null;
      return {
        seq: e.seq,
        token: e.request.path.split('/').pop() ?? '',
        range,
        ...(match ? { start: Number(match[1]), ...(match[2] ? { end: Number(match[2]) } : {}) } : {}),
        status: e.response.status,
        bytesSent: e.response.bytesSent,
        aborted: e.response.aborted === true,
        time: Date.parse(e.time),
        wallTime: Date.parse(e.wallTime),
      };
    });
}

/** Token checks: which token, and what the platform answered. */
export function tokenChecks(journal: JournalEntry[]): { seq: number; token: string; errno: number | undefined }[] {
  return journal
    .filter((e) => canonical(e.operation) === 'checkToken')
    .map((e) => ({ seq: e.seq, token: e.request.path.split('/').at(-2) ?? '', errno: e.errno }));
}

/** Steps and status codes the device sent (progress or report), and the errno each got. */
export function codes(
  journal: JournalEntry[],
): { seq: number; code: number; errno: number | undefined; token: string }[] {
  return journal
    .filter((e) => ['reportProgress', 'reportStatus'].includes(canonical(e.operation)))
    .map((e) => {
      const body = e.request.body?.json as { step?: unknown; result?: unknown } | undefined;
      const code = Number(body?.step ?? body?.result);
      const token =
        canonical(e.operation) === 'reportProgress'
          ? (e.request.path.split('/').at(-2) ?? '')
          : (e.request.query.token ?? '');
      return { seq: e.seq, code, errno: e.errno, token };
    });
}

/** Calls of an operation (aliases included). */
export function calls(journal: JournalEntry[], operation: string): JournalEntry[] {
  return journal.filter((e) => canonical(e.operation) === operation);
}

/** The accepted codes, in order. */
export function accepted(journal: JournalEntry[]): number[] {
  return codes(journal)
    .filter((c) => c.errno === 0)
    .map((c) => c.code);
}

// Failure codes are those the state machine sends to `failed` from a downloading or an upgrading device.
const failureCodes = new Set(
  (['downloading', 'upgrading'] as const).flatMap((state) =>
    Object.entries(stateMachine.deviceStates[state].codes)
      .filter(([, outcome]) => 'to' in outcome && outcome.to === 'failed')
      .flatMap(([key]) => {
        const [from, to = from] = key.split('-').map(Number) as [number, number?];
        return Array.from({ length: (to as number) - from + 1 }, (_, i) => from + i);
      }),
  ),
);

/** Whether a code reports a failure (102–107, 202–208), as the spec's state machine says. */
export const isFailureCode = (code: number) => failureCodes.has(code);
