import { Errno, RangeRule } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { type DeviceTaskRecord, deviceTaskKey, type StoredFile } from '../core/domain/records.ts';
import { changed } from '../core/domain/tracked-map.ts';
import { rangeStream } from '../core/http/answer-body.ts';
import { decideRange } from '../core/http/range.ts';
import { WholeAnswer } from '../core/http/whole-answer.ts';

/** 416 with a Content-Range naming only the file's size (spec `RangeNotSatisfiable`): no byte asked for is there. */
export function rangeNotSatisfiable(size: number, headers?: Record<string, string>): Response {
  return new Response(null, {
    status: 416,
    headers: { 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain', 'Content-Length': '0', ...headers },
  });
}

/**
 * Answers a download the platform has allowed: the file whole (200) or the `Range` asked for (206, the platform's
 * Range dialect, protocol §2.4), streamed from the stored bytes, with the retry accounting of the device's task
 * status and the faults that shape ranges. `headers` adds what a generation sends beside the standard ones.
 */
export function servePackage(
  call: Call,
  ctx: Context,
  deviceTask: DeviceTaskRecord,
  file: StoredFile,
  headers?: (range: { start: number; end: number } | undefined) => Record<string, string>,
): Response {
  const ignoreRange = call.faults.some((f) => f.action.kind === 'ignore-range');
  const decision = ignoreRange
    ? { kind: 'whole' as const, rule: RangeRule.FaultIgnored }
    : decideRange(call.request.headers.get('range'), file.size, ctx.settings.rangeDialect);
  call.rangeRule = decision.rule;
  call.errno = Errno.Success;
  if (decision.kind === 'unsatisfiable') return rangeNotSatisfiable(file.size, headers?.(undefined));
  let [start, end] = decision.kind === 'partial' ? [decision.start, decision.end] : [0, file.size - 1];
  const shift = call.faults.find((f) => f.action.kind === 'wrong-content-range')?.action as
    | { shift: number }
    | undefined;
  if (shift && decision.kind === 'partial') {
    // Serve another range than asked, and say so: only a device that compares Content-Range notices.
    const length = end - start;
    start = Math.min(Math.max(0, start + shift.shift), file.size - 1 - length);
    end = start + length;
    call.rangeRule = RangeRule.FaultShifted;
  }

  call.bodyOffset = start;
  const partial = decision.kind === 'partial' ? { start, end } : undefined;
  // A HEAD asks what the download would be: nothing is served, so nothing is counted.
  if (!call.head) account(call, ctx, deviceTask, start);
  const sent: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(end - start + 1),
    'Content-Disposition': dispositionOf(file),
  };
  if (partial) sent['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
  if (headers) Object.assign(sent, headers(partial));
  // The stream, chunked for faults to shape precisely, is made only if the body is read as a stream.
  return new WholeAnswer(file.bytes.subarray(start, end + 1), {
    status: partial ? 206 : 200,
    headers: sent,
    stream: () => rangeStream(file.bytes, start, end),
  });
}

/** The retry accounting of the device's task status for a range served from `start`, completed when it ends. */
function account(call: Call, ctx: Context, deviceTask: DeviceTaskRecord, start: number): void {
  // A request after an interrupted one, or for bytes already served, is a retry the task's status counts.
  if (deviceTask.downloadInterrupted || start < deviceTask.servedUpTo) deviceTask.retriesUsed++;
  deviceTask.downloadInterrupted = false;
  call.onBodyEnd.push(({ bytesSent, aborted }) => {
    deviceTask.servedUpTo = Math.max(deviceTask.servedUpTo, start + bytesSent);
    if (aborted) deviceTask.downloadInterrupted = true;
    // Only a durable store tracks changes: no key is made for a fragment otherwise.
    if (ctx.persist) changed(ctx.state.deviceTasks, deviceTaskKey(deviceTask.taskId, deviceTask.devId));
  });
}

// One string per file rather than one per fragment: the journal keeps each answer's header record, and a string
// shared by every fragment of a package costs it nothing more.
const dispositions = new WeakMap<StoredFile, string>();

function dispositionOf(file: StoredFile): string {
  let disposition = dispositions.get(file);
  if (disposition === undefined) {
    disposition = `attachment; filename="${file.fileName}"`;
    dispositions.set(file, disposition);
  }
  return disposition;
}
