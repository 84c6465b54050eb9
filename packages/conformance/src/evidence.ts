import { type JournalEntry, journalRange, rangeRuleWords } from '@onenet-ota/mock-server';
import {
  bounds,
  Errno,
  type OperationId,
  operations,
  patterns,
  type RangeRule,
  ResultCode,
  stateMachine,
} from '@onenet-ota/openapi/protocol';
import { mediaType } from '@onenet-ota/sdk';
import type { CaseFault } from './types.ts';

// Readers over a case's journal, shared by the rules so each rule file holds only its judgement.

/**
 * The operation a journal entry was for, as the rules read it: a deprecated alias as its canonical operation
 * (`x-alias-of`), and a Studio or new-platform operation as the legacy operation of the same name
 * (`fuseDownloadPackage` → `downloadPackage`, `studioReportStatus` → `reportStatus`), so one rule judges
 * every generation where the protocol asks the same of it.
 */
export function canonical(operation: string | null): string {
  const route = operation
    ? (operations[operation as OperationId] as { aliasOf?: string; tag: string } | undefined)
    : undefined;
  if (route?.aliasOf) return route.aliasOf;
  if (operation && isNamedGeneration(route?.tag)) {
    const rest = operation.replace(/^(studio|fuse)/, '');
    return rest.charAt(0).toLowerCase() + rest.slice(1);
  }
  return operation ?? '';
}

function isNamedGeneration(tag: string | undefined): boolean {
  return tag === 'device-studio' || tag === 'device-fuse';
}

/** The task id in a Studio or new-platform path (`…/{tid}/download`), which stands where the legacy token does. */
function tidIn(entry: JournalEntry): string | undefined {
  const route = entry.operation
    ? (operations[entry.operation as OperationId] as { tag: string } | undefined)
    : undefined;
  if (!isNamedGeneration(route?.tag)) return undefined;
  return entry.request.path.replace(/\/$/, '').split('/').at(-2);
}

/** A download request: the range asked for, what came back, with which token. */
export interface Download {
  seq: number;
  token: string;
  /** The Range header as sent, or undefined. */
  range: string | undefined;
  /** First and last byte asked for, when the header was a `s-e` or `s-` form. */
  start?: number;
  end?: number;
  status: number;
  /** The first and last byte the answer said it carries (`Content-Range`), for a 206. */
  served?: { start: number; end: number };
  /** The rule of the platform's Range dialect that chose what was served (none for a recorded upstream's answer). */
  rule?: RangeRule;
  /** The package length the answer announced: `Content-Range`'s length, or a 200's `Content-Length`. */
  packageSize?: number;
  bytesSent: number;
  aborted: boolean;
  /** Package bytes (a 200 or 206 of the package), not OneNET's one-byte error body or an empty error. */
  carriesPackage: boolean;
  /** The faults that fired on this request. */
  faults: string[];
  /** Platform time and wall time, ms. */
  time: number;
  wallTime: number;
}

export function downloads(journal: JournalEntry[]): Download[] {
  return calls(journal, 'downloadPackage').map((e) => {
    const range = e.request.headers.range;
    // The journal's reading of the Range (`range`, read once by the platform); a journal saved before it had one
    // is read here the same way. The first and last byte asked for count in the spec's forms only (`s-e`, `s-`):
    // a `-n` names no first byte.
    const read = e.range ?? journalRange(range, e.response.headers['content-range']);
    const bounds = range && patterns.RangeHeader.test(range) ? read?.asked : undefined;
    const [first, last] = bounds?.first === undefined ? [] : [bounds.first, bounds.last];
    const carriesPackage =
      (e.response.status === 200 || e.response.status === 206) &&
      mediaType(e.response.headers['content-type']) === 'application/octet-stream';
    const length = Number(e.response.headers['content-length']);
    const served = read?.served;
    const packageSize = served ? served.length : e.response.status === 200 && carriesPackage ? length : undefined;
    return {
      seq: e.seq,
      token: tidIn(e) ?? e.request.path.split('/').pop() ?? '',
      range,
      ...(first !== undefined ? { start: first } : {}),
      ...(last !== undefined ? { end: last } : {}),
      status: e.response.status,
      ...(served ? { served: { start: served.start, end: served.end } } : {}),
      ...(read?.rule ? { rule: read.rule } : {}),
      ...(packageSize ? { packageSize } : {}),
      bytesSent: e.response.bytesSent,
      aborted: e.response.aborted === true,
      carriesPackage,
      faults: e.faults,
      time: Date.parse(e.time),
      wallTime: Date.parse(e.wallTime),
    };
  });
}

/**
 * What the platform made of a download's Range when it was not simply served as asked: `; the platform: ` and the
 * rule's meaning (spec `RangeRule`), for a finding to say; empty otherwise.
 */
export function rangeRuleText(download: Download): string {
  const words = rangeRuleWords(download.rule);
  return words === undefined ? '' : `; the platform: ${words}`;
}

/** Downloads that delivered package bytes. */
export function delivered(journal: JournalEntry[]): Download[] {
  return downloads(journal).filter((d) => d.carriesPackage && d.bytesSent > 0);
}

/**
 * The package bytes the platform delivered intact before request `beforeSeq`, as sorted disjoint `[start, end)`
 * intervals: each answer's bytes at the offset its Content-Range (or a 200's offset 0) puts them, cut where the
 * connection dropped, less any bytes a `corrupt` fault changed.
 */
export function servedIntact(journal: JournalEntry[], faults: CaseFault[], beforeSeq = Infinity): [number, number][] {
  const pieces: [number, number][] = [];
  for (const d of delivered(journal)) {
    if (d.seq >= beforeSeq) continue;
    const start = d.status === 206 ? (d.served?.start ?? 0) : 0;
    let parts: [number, number][] = [[start, start + d.bytesSent]];
    for (const fault of faults.filter((f) => d.faults.includes(f.id))) {
      if (fault.create.action.kind !== 'corrupt') continue;
      const from = fault.create.action.atByte;
      const to = from + (fault.create.action.count ?? 1);
      parts = parts.flatMap(([a, b]): [number, number][] =>
        to <= a || from >= b
          ? [[a, b]]
          : (
              [
                [a, from],
                [to, b],
              ] as [number, number][]
            ).filter(([x, y]) => y > x),
      );
    }
    pieces.push(...parts);
  }
  pieces.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of pieces) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** The first byte range of `[0, size)` missing from `intervals`, as `[first, last]`, or undefined. */
export function firstGap(intervals: [number, number][], size: number): [number, number] | undefined {
  let covered = 0;
  for (const [a, b] of intervals) {
    if (a > covered) return [covered, Math.min(a, size) - 1];
    covered = Math.max(covered, b);
    if (covered >= size) return undefined;
  }
  return covered >= size ? undefined : [covered, size - 1];
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
        tidIn(e) ??
        (canonical(e.operation) === 'reportProgress'
          ? (e.request.path.split('/').at(-2) ?? '')
          : (e.request.query.token ?? ''));
      return { seq: e.seq, code, errno: e.errno, token };
    });
}

/** Calls of an operation (aliases included). */
export function calls(journal: JournalEntry[], operation: string): JournalEntry[] {
  // A HEAD (served for downloads only) asks what the call would answer: it is not the call.
  return journal.filter((e) => canonical(e.operation) === operation && e.request.method !== 'HEAD');
}

/** The accepted codes, in order. */
export function accepted(journal: JournalEntry[]): number[] {
  return codes(journal)
    .filter((c) => c.errno === Errno.Success)
    .map((c) => c.code);
}

/** Whether a code says the download is done: 101, or the last step (100, which the platform takes for it). */
export const isDownloadDone = (code: number) => code === ResultCode.Downloaded || code === bounds.Step.maximum;

const resultCodes = new Set<number>(Object.values(ResultCode));
/** Whether a code is a status code (101–107, 201–208) rather than a progress step. */
export const isResultCode = (code: number) => resultCodes.has(code);

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
