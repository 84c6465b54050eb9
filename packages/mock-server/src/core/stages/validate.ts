import { formatErrors } from '@onenet-ota/openapi/document';
import { mediaType } from '@onenet-ota/sdk';
import type { Call } from '../call.ts';
import type { Context } from '../context.ts';
import { problem } from '../http/responses.ts';
import type { Route } from '../http/router.ts';
import { operationSpec, specValidator } from '../http/spec.ts';
import { headerOf } from '../http/whole-answer.ts';
import type { NowOrLater } from '../now-or-later.ts';

// Stage 5 of a request (admit, read, authenticate, handle, validate, journal, shape): with `validateResponses:
// 'error'`, the handled answer is held against the spec before anything is journaled or sent.

/** The handled answer, or, when answers are validated and it breaks the spec, a 500 saying how. */
export function validate(ctx: Context, call: Call, handled: Response): NowOrLater<Response> {
  return ctx.settings.validateResponses !== 'off' ? checkResponse(call.route, handled) : handled;
}

/** With `validateResponses: 'error'`, a JSON answer that breaks the spec becomes a 500 naming the violations. */
async function checkResponse(matched: Route, response: Response): Promise<Response> {
  const type = headerOf(response, 'content-type') ?? '';
  if (!type.includes('json')) return response;
  const pointer = operationSpec(matched.operationId).responses[String(response.status)]?.[mediaType(type) ?? ''];
  const body: unknown = await response.clone().json();
  const validate = pointer ? specValidator().at(pointer) : undefined;
  if (validate?.(body)) return response;
  const detail = validate
    ? `the ${response.status} answer of ${matched.operationId} breaks the spec: ${formatErrors(validate)}`
    : `${matched.operationId} has no ${response.status} ${type} answer in the spec`;
  return problem('Internal', detail);
}
