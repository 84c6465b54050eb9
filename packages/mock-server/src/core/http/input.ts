import { formatErrors } from '@onenet-ota/openapi/document';
import type { OperationId } from '@onenet-ota/openapi/protocol';
import { isMediaType } from '@onenet-ota/sdk';
import { operationSpec, specValidator } from './spec.ts';

/** One offending field, as RFC 9457 `errors[]` carries it: `#/query/limit`, `#/body/strategy/power`. */
export interface FieldError {
  pointer: string;
  message: string;
}

/** Input read and checked against the operation's schemas. */
export interface Checked<T> {
  value: T;
  errors: FieldError[];
}

/**
 * Reads the query and path parameters of an operation, coerces them to their schema types (query strings are
 * text; `dev_id=32981907` is an integer to the spec) and validates each against its schema.
 */
export function readParameters(
  operationId: OperationId,
  query: URLSearchParams,
  path: Record<string, string>,
): Checked<Record<string, unknown>> {
  const value: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const parameter of parametersOf(operationId)) {
    const raw = parameter.in === 'path' ? path[parameter.name] : (query.get(parameter.name) ?? undefined);
    if (raw === undefined) {
      if (parameter.required) errors.push({ pointer: parameter.pointer, message: 'is required' });
      continue;
    }
    const coerced = coerce(raw, parameter.type);
    if (!parameter.validate(coerced))
      errors.push({ pointer: parameter.pointer, message: formatErrors(parameter.validate) });
    else value[parameter.name] = coerced;
  }
  return { value, errors };
}

/** A query or path parameter as `readParameters` reads it: found once per operation, its validator included. */
interface ParameterReading {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  type: string;
  pointer: string;
  validate: ReturnType<ReturnType<typeof specValidator>['at']>;
}

const readings = new Map<OperationId, readonly ParameterReading[]>();

// Every device call reads its parameters: what the spec says of them is looked up once, not per call.
function parametersOf(operationId: OperationId): readonly ParameterReading[] {
  let found = readings.get(operationId);
  if (!found) {
    found = operationSpec(operationId).parameters.flatMap((parameter) =>
      parameter.in === 'path' || parameter.in === 'query'
        ? [
            {
              name: parameter.name,
              in: parameter.in,
              required: parameter.required,
              type: parameter.type,
              pointer: `#/${parameter.in}/${parameter.name}`,
              validate: specValidator().at(parameter.schemaPointer),
            },
          ]
        : [],
    );
    readings.set(operationId, found);
  }
  return found;
}

/**
 * What OneNET's docs require (`x-onenet-required`) that a request left out: a query parameter, or the
 * `Content-Type: application/json` of a JSON body. The platform serves such a request, because real clients send
 * it so (OneNET's own C SDK has no `manuf`), and the journal keeps what was missing.
 */
export function toleratedOmissions(operationId: OperationId, url: URL, headers: Headers): FieldError[] {
  const names = onenetRequiredQuery(operationId);
  const { jsonContentTypeByDocs } = operationSpec(operationId);
  // Most operations require nothing more: their request is not read for this.
  if (names.length === 0 && !jsonContentTypeByDocs) return [];
  const omitted: FieldError[] = [];
  for (const name of names)
    if (!url.searchParams.has(name))
      omitted.push({ pointer: `#/query/${name}`, message: "is missing; OneNET's docs require it" });
  if (jsonContentTypeByDocs && !isMediaType(headers.get('content-type'), 'application/json'))
    omitted.push({
      pointer: '#/header/content-type',
      message: "Content-Type is not application/json; OneNET's docs require it",
    });
  return omitted;
}

const requiredByDocs = new Map<OperationId, readonly string[]>();

function onenetRequiredQuery(operationId: OperationId): readonly string[] {
  let names = requiredByDocs.get(operationId);
  if (!names) {
    names = operationSpec(operationId)
      .parameters.filter((p) => p.onenetRequired && p.in === 'query')
      .map((p) => p.name);
    requiredByDocs.set(operationId, names);
  }
  return names;
}

/** Parses a JSON body and validates it against the operation's `application/json` request schema. */
export function readJsonBody<T = unknown>(operationId: OperationId, text: string): Checked<T | undefined> {
  if (text.trim() === '') return { value: undefined, errors: [{ pointer: '#/body', message: 'is required' }] };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { value: undefined, errors: [{ pointer: '#/body', message: 'is not valid JSON' }] };
  }
  return checkBody<T>(operationId, body);
}

/** Validates an already-parsed body against the operation's `application/json` request schema. */
export function checkBody<T>(operationId: OperationId, body: unknown): Checked<T | undefined> {
  const pointer = operationSpec(operationId).requestBody['application/json'];
  if (!pointer) throw new Error(`${operationId} takes no JSON body`);
  const validate = specValidator().at(pointer);
  if (validate(body)) return { value: body as T, errors: [] };
  const errors = (validate.errors ?? []).map((e) => ({
    pointer: `#/body${e.instancePath}`,
    message: `${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? `: ${(e.params.allowedValues as unknown[]).join(', ')}` : ''}`,
  }));
  return { value: undefined, errors };
}

function coerce(raw: string, type: string): unknown {
  if (type === 'integer' || type === 'number') return isDecimal(raw) ? Number(raw) : raw;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/**
 * Whether `raw` is a decimal number as a query writes one: `-?digits(.digits)?`. Scanned, not matched by a
 * regular expression: every device call has one or two (`dev_id`, `type`), and the match cost more than the scan.
 */
export function isDecimal(raw: string): boolean {
  let i = raw.charCodeAt(0) === minus ? 1 : 0;
  const digitsFrom = i;
  while (i < raw.length && isDigit(raw.charCodeAt(i))) i++;
  if (i === digitsFrom) return false;
  if (i === raw.length) return true;
  if (raw.charCodeAt(i) !== dot) return false;
  const fractionFrom = ++i;
  while (i < raw.length && isDigit(raw.charCodeAt(i))) i++;
  return i > fractionFrom && i === raw.length;
}

const minus = 0x2d;
const dot = 0x2e;

function isDigit(unit: number): boolean {
  return unit >= 0x30 && unit <= 0x39;
}
