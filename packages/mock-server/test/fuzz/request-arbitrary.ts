import { listOperations, type OpenApiDocument, type OperationRef } from '@onenet-ota/openapi/document';
import document from '@onenet-ota/openapi/openapi.json' with { type: 'json' };
import type { OperationId } from '@onenet-ota/sdk';
import fc from 'fast-check';
import { operationSpec } from '../../src/core/http/spec.ts';
import { resolve, schemaArbitrary, type ValuePools } from './schema-arbitrary.ts';

// A request for one operation of the spec: its parameters and body drawn from the spec's schemas most of the time
// (so the handlers' logic is reached), mutated the rest of the time in the ways real clients and attackers get
// them wrong — wrong types, huge and odd strings, missing and extra fields, bytes that are not UTF-8 or not JSON.

/** What the fuzzer sends. */
export interface FuzzRequest {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** What exists on the platform under test, so requests reach real records: by parameter and property name. */
export interface FuzzPools {
  /** Path and query values, by parameter name. */
  params: Record<string, string[]>;
  /** JSON values, by property name. */
  values: ValuePools;
}

export const operationsOfSpec: OperationRef[] = listOperations(document as unknown as OpenApiDocument);

const encoder = new TextEncoder();

/** Strings that have broken parsers before: numbers past the safe range, signs, exponents, NUL, lone surrogates. */
const oddStrings = fc.constantFrom(
  '',
  ' ',
  '0',
  '-1',
  '-0',
  '1e309',
  'NaN',
  '0x10',
  '9007199254740993',
  '1.5',
  'null',
  'true',
  '[]',
  '{}',
  '%',
  '%zz',
  '\u0000',
  '\ud800',
  '../../etc/passwd',
  'é',
  '🙂',
  ' V1.0 ',
);
const hugeString = fc.integer({ min: 1024, max: 200_000 }).map((n) => 'A'.repeat(n));

/** A query or path value for a parameter: usually from its schema, sometimes odd, huge or random. */
function valueArbitrary(schemaPointer: string, pool?: string[]): fc.Arbitrary<string> {
  const fromSchema = schemaArbitrary(resolve(schemaPointer)).map((v) =>
    typeof v === 'string' ? v : JSON.stringify(v),
  );
  // Existing ids most of the time: each path parameter mutates on its own, so a path with three of them still
  // reaches a real record in about half the requests.
  return fc.oneof(
    { weight: 16, arbitrary: pool && pool.length > 0 ? fc.constantFrom(...pool) : fromSchema },
    { weight: 2, arbitrary: fromSchema },
    { weight: 2, arbitrary: oddStrings },
    { weight: 1, arbitrary: hugeString },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
}

/** A JSON body: from the schema, with a field dropped, changed to any value, or an extra one added, or not JSON. */
function jsonBodyArbitrary(schemaPointer: string, values: ValuePools): fc.Arbitrary<Uint8Array> {
  const valid = schemaArbitrary(resolve(schemaPointer), values);
  const mutated = fc
    .tuple(valid, fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), fc.nat())
    .map(([value, key, any, pick]) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return any;
      const copy = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const target = keys[pick % Math.max(keys.length, 1)];
      if (target !== undefined && pick % 3 === 0) delete copy[target];
      else if (target !== undefined && pick % 3 === 1) copy[target] = any;
      else copy[key] = any;
      return copy;
    });
  const asJson = (v: unknown) => encoder.encode(JSON.stringify(v) ?? 'undefined');
  return fc.oneof(
    { weight: 6, arbitrary: valid.map(asJson) },
    { weight: 4, arbitrary: mutated.map(asJson) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }).map((v) => asJson(v)) },
    { weight: 1, arbitrary: hugeString.map((s) => encoder.encode(JSON.stringify({ name: s, description: s }))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.constant(Uint8Array.of(0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d)) }, // {"\xc3(":1}
  );
}

/** A request for `op`, with `authorization` (a valid device token) on most southbound calls. */
export function requestArbitrary(op: OperationRef, pools: FuzzPools, authorization: string): fc.Arbitrary<FuzzRequest> {
  const spec = operationSpec(op.operationId as OperationId);
  const pathParams = spec.parameters.filter((p) => p.in === 'path');
  const queryParams = spec.parameters.filter((p) => p.in === 'query');
  const path = fc
    .tuple(...pathParams.map((p) => valueArbitrary(p.schemaPointer, pools.params[p.name])))
    .map((values) => pathParams.reduce((at, p, i) => at.replace(`{${p.name}}`, pathSegment(values[i] ?? '')), op.path));
  const query = fc
    .tuple(
      ...queryParams.map((p) =>
        fc.option(valueArbitrary(p.schemaPointer, pools.params[p.name]), { freq: p.required ? 8 : 2, nil: undefined }),
      ),
      fc.option(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { freq: 4, nil: undefined }),
    )
    .map((values) => {
      const pairs: [string, string][] = [];
      queryParams.forEach((p, i) => {
        const value = values[i] as string | undefined;
        if (value !== undefined) pairs.push([p.name, value]);
      });
      const extra = values[queryParams.length] as [string, string] | undefined;
      if (extra) pairs.push(extra);
      return pairs;
    });
  const media = Object.keys(spec.requestBody);
  const body: fc.Arbitrary<{ bytes?: Uint8Array; type?: string }> =
    media.length === 0
      ? fc.constant({})
      : fc.oneof(
          ...media.map((type) => {
            const pointer = spec.requestBody[type] as string;
            const bytes = type.includes('json')
              ? jsonBodyArbitrary(pointer, pools.values)
              : fc.uint8Array({ maxLength: 4096 });
            return bytes.map((b) => ({ bytes: b, type }));
          }),
          fc.uint8Array({ maxLength: 64 }).map((b) => ({ bytes: b, type: 'text/plain' })),
        );
  const headers = fc.record(
    {
      authorization: fc.oneof(
        { weight: 8, arbitrary: fc.constant(authorization) },
        // Header values are printable ASCII: fetch itself refuses anything else before it is sent.
        { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')) },
        { weight: 1, arbitrary: hugeString.map((s) => s.slice(0, 8000)) },
      ),
      range: fc.oneof(
        fc.constantFrom('bytes=0-99', '0-99', 'bytes=-5', 'bytes=5-', 'bytes=9-1', 'bytes=0-0,5-9', 'bytes=abc'),
        fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes=${a}-${b}`),
      ),
    },
    { requiredKeys: [] },
  );
  return fc.record({ path, query, body, headers }).map(({ path, query, body, headers }) => ({
    method: op.method.toUpperCase(),
    path,
    query,
    headers: { ...headers, ...(body.type ? { 'content-type': body.type } : {}) },
    ...(body.bytes ? { body: body.bytes } : {}),
  }));
}

// A lone surrogate has no UTF-8 form, so encodeURIComponent throws; a device could still send its WTF-8 bytes.
function pathSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}
