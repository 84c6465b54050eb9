import type { OperationId } from '@onenet-ota/openapi/protocol';
import { operations } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { isErrnoOf, isSouthbound, ProblemError } from '../core/http/responses.ts';
import { jsonBody, noContent, params, reply } from '../management/input.ts';

type FaultCreate = components['schemas']['FaultCreate'];

export function listFaults(_call: Call, ctx: Context): Response {
  return reply(200, ctx.faults.list());
}

/** Adds a fault rule, refusing ones that could never apply (an unknown operation, an errno not in its table). */
export function addFault(call: Call, ctx: Context): Response {
  const body = jsonBody<FaultCreate>(call, 'addFault');
  const operation = body.match?.operation;
  if (operation !== undefined && !(operation in operations)) {
    throw invalid('#/body/match/operation', `${operation} is not an operationId of the spec`);
  }
  if (body.action.kind === 'errno') {
    if (operation === undefined)
      throw invalid('#/body/match/operation', 'an errno fault needs an operation whose errno table has the code');
    const op = operation as OperationId;
    if (!isSouthbound(op) || !isErrnoOf(op, body.action.errno)) {
      throw invalid('#/body/action/errno', `errno ${body.action.errno} is not in the errno table of ${operation}`);
    }
  }
  return reply(201, ctx.faults.add(body));
}

export function clearFaults(_call: Call, ctx: Context): Response {
  ctx.faults.clear();
  return noContent();
}

export function removeFault(call: Call, ctx: Context): Response {
  const { faultId } = params(call, 'removeFault');
  if (!ctx.faults.remove(String(faultId)))
    throw new ProblemError('NotFound', `fault ${String(faultId)} does not exist`);
  return noContent();
}

function invalid(pointer: string, message: string): ProblemError {
  return new ProblemError('InvalidRequest', message, { errors: [{ pointer, message }] });
}
