import {
  type ErrnoOf,
  enumDescriptions,
  type OperationId,
  operations,
  ProblemType,
  problemStatus,
  type SouthboundOperation,
} from '@onenet-ota/openapi/protocol';
import { errnoTableOf } from '@onenet-ota/sdk';

import { utf8Length, WholeAnswer } from './whole-answer.ts';

/** A JSON response with an explicit `Content-Length`, which the smallest embedded clients need. */
export function jsonResponse(body: unknown, status = 200, contentType = 'application/json'): Response {
  const json = JSON.stringify(body);
  // Kept as text: an adapter writes it as such, and it is encoded only if someone reads it as bytes.
  const size = utf8Length(json);
  return new WholeAnswer(json, {
    status,
    headers: { 'Content-Type': contentType, 'Content-Length': String(size) },
    json,
    size,
  });
}

/**
 * The southbound envelope with HTTP 200: `{errno, error, data}` (legacy and Studio), or the new platform's
 * `{code, msg, data, request_id}`. The text is the code's meaning in the operation's table (`x-enum-descriptions`),
 * so it always matches the spec. The code's type is the operation's table: a code the operation does not document
 * does not compile. Studio and the new platform answer `application/json;charset=UTF-8`, as captured.
 */
export function envelope<Op extends SouthboundOperation>(
  operationId: Op,
  errno: ErrnoOf<Op>,
  data?: unknown,
): Response {
  const table = errnoTableOf(operationId);
  const text = table ? (enumDescriptions[table] as Record<string, string>)[String(errno)] : undefined;
  if (text === undefined) throw new Error(`errno ${errno} is not in the errno table of ${operationId}`);
  const route = operations[operationId] as { tag: string; errnoField?: string };
  if (route.errnoField === 'code') {
    const body = { code: errno, msg: text, ...(data === undefined ? {} : { data }), request_id: requestId() };
    return jsonResponse(body, 200, capturedJson);
  }
  const body = data === undefined ? { errno, error: text } : { errno, error: text, data };
  return jsonResponse(body, 200, route.tag === 'device-studio' ? capturedJson : 'application/json');
}

/** The content type Studio and the new platform answer with, as captured. */
export const capturedJson = 'application/json;charset=UTF-8';

/** A new platform's `request_id`: 32 hex digits (schema `FuseRequestId`). */
export function requestId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/** Whether an operation is southbound: it answers with an errno table of its own. */
export function isSouthbound(operationId: OperationId): operationId is SouthboundOperation {
  return errnoTableOf(operationId) !== undefined;
}

/** Whether `errno` is in the operation's table (faults may only inject codes the spec allows there). */
export function isErrnoOf<Op extends SouthboundOperation>(operationId: Op, errno: number): errno is ErrnoOf<Op> {
  const table = errnoTableOf(operationId);
  return table !== undefined && String(errno) in (enumDescriptions[table] as Record<string, string>);
}

/**
 * A failed download as OneNET signals it: one ASCII digit and **no Content-Length**; the body ends when the
 * connection closes (protocol §2.4). `Connection: close` tells the HTTP adapter not to keep the socket.
 */
export function errorByte(code: string): Response {
  return new Response(code, { status: 200, headers: { 'Content-Type': 'text/plain', Connection: 'close' } });
}

type ProblemTypeName = keyof typeof ProblemType;

/** An RFC 9457 problem body; `type`, `title` and status come from the spec's `ProblemType` table. */
export function problemBody(name: ProblemTypeName, detail: string, status?: number) {
  const type = ProblemType[name];
  const title = (enumDescriptions.ProblemType as Record<string, string>)[type] as string;
  return { type, title, status: status ?? problemStatus[type], detail };
}

/** An RFC 9457 problem answer, made by {@link problemBody}. */
export function problem(name: ProblemTypeName, detail: string, extra: Record<string, unknown> = {}): Response {
  const body = problemBody(name, detail);
  return jsonResponse({ ...body, ...extra }, body.status, 'application/problem+json');
}

/** Thrown by management handlers to answer with a problem from deep inside a call. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly problemName: ProblemTypeName;
  readonly extra: Record<string, unknown>;
  constructor(name: ProblemTypeName, detail: string, extra: Record<string, unknown> = {}) {
    super(detail);
    this.problemName = name;
    this.extra = extra;
  }
  toResponse(): Response {
    return problem(this.problemName, this.message, this.extra);
  }
}

/** A refusal before the request is read: its body is let go unread. */
export async function refusedUnread(request: Request, problem: ProblemError): Promise<Response> {
  await request.body?.cancel().catch(() => {});
  return problem.toResponse();
}
