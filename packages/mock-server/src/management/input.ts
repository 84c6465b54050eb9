import type { OperationId } from '@onenet-ota/openapi/protocol';
import type { Call } from '../core/call.ts';
import { bodyText } from '../core/call.ts';
import { readJsonBody, readParameters } from '../core/http/input.ts';
import { jsonResponse, ProblemError } from '../core/http/responses.ts';

/** The parameters of a management call, or a 400 problem listing every offending field. */
export function params(call: Call, operationId: OperationId): Record<string, unknown> {
  const { value, errors } = readParameters(operationId, call.url.searchParams, call.route.params);
  if (errors.length > 0) throw invalid(errors);
  return value;
}

/** The JSON body of a management call, validated against the spec, or a 400 problem. */
export function jsonBody<T>(call: Call, operationId: OperationId): T {
  const { value, errors } = readJsonBody<T>(operationId, bodyText(call));
  if (errors.length > 0 || value === undefined) throw invalid(errors);
  return value;
}

/** A JSON answer of the management API; `location` adds the new resource's path. */
export function reply(status: number, body: unknown, location?: string): Response {
  const response = jsonResponse(body, status);
  if (location) response.headers.set('Location', location);
  return response;
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

function invalid(errors: { pointer: string; message: string }[]): ProblemError {
  const detail = errors.map((e) => `${e.pointer.replace('#/', '')} ${e.message}`).join('; ');
  return new ProblemError('InvalidRequest', detail, { errors });
}
