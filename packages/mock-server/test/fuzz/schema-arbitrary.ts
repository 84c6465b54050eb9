import document from '@onenet-ota/openapi/openapi.json' with { type: 'json' };
import fc from 'fast-check';

// Values for a JSON Schema of the spec, valid ones most of the time, so requests reach the handlers' logic rather
// than stopping at the first type check. Covers the keywords the spec uses (type, enum, const, properties,
// required, items, oneOf/anyOf/allOf, bounds, lengths, patterns, date-time); anything else gets any JSON value.

type Schema = Record<string, unknown>;

const doc = document as unknown as Record<string, unknown>;

/** The node a `#/…` pointer names in the spec. */
export function resolve(pointer: string): Schema {
  let node: unknown = doc;
  for (const raw of pointer.replace(/^#\//, '').split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = (node as Record<string, unknown>)[key];
  }
  return node as Schema;
}

/** Values that exist on the platform, by property name (`packageId`, `devIds`, …), mixed into generated objects. */
export type ValuePools = Record<string, unknown[]>;

/**
 * An arbitrary of values for `schema`; `pools` puts existing ids in properties of those names half the time, so
 * bodies reach past "not found"; `depth` stops recursion through self-referencing shapes.
 */
export function schemaArbitrary(schema: Schema, pools: ValuePools = {}, depth = 0): fc.Arbitrary<unknown> {
  if (typeof schema.$ref === 'string') return schemaArbitrary(resolve(schema.$ref), pools, depth);
  if (depth > 6) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[key]))
      return fc.oneof(...(schema[key] as Schema[]).map((s) => schemaArbitrary(s, pools, depth + 1)));
  }
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as Schema[]).map((s) => (s.$ref ? resolve(s.$ref as string) : s));
    return objectArbitrary(
      {
        properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
        required: parts.flatMap((p) => (p.required as string[]) ?? []),
      },
      pools,
      depth,
    );
  }
  const type = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (type.length > 1) return fc.oneof(...type.map((t) => schemaArbitrary({ ...schema, type: t }, pools, depth)));
  switch (type[0]) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({
        min: Math.max(Number(schema.minimum ?? -(2 ** 31)), Number.MIN_SAFE_INTEGER),
        max: Math.min(Number(schema.maximum ?? 2 ** 31), Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.double({
        min: Number(schema.minimum ?? -1e9),
        max: Number(schema.maximum ?? 1e9),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schemaArbitrary((schema.items as Schema) ?? {}, pools, depth + 1), {
        minLength: Number(schema.minItems ?? 0),
        maxLength: Math.min(Number(schema.maxItems ?? 5), 5),
      });
    case 'object':
      return objectArbitrary(schema, pools, depth);
    default:
      return schema.properties ? objectArbitrary(schema, pools, depth) : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArbitrary(schema: Schema, pools: ValuePools, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const model = Object.fromEntries(
    Object.entries(properties).map(([name, s]) => {
      const generated = schemaArbitrary(s, pools, depth + 1);
      const pool = pools[name];
      const existing = pool && pool.length > 0 ? fc.constantFrom(...pool) : undefined;
      return [
        name,
        existing ? fc.oneof({ weight: 3, arbitrary: existing }, { weight: 1, arbitrary: generated }) : generated,
      ];
    }),
  );
  return fc.record(model, { requiredKeys: ((schema.required as string[]) ?? []).filter((k) => k in model) });
}

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  const minLength = Number(schema.minLength ?? 0);
  const maxLength = Math.min(Number(schema.maxLength ?? 24), 64);
  // Pattern strings are not trimmed to the length bounds: a few over-long ones are more fuzz, not less.
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
  return fc.string({ minLength, maxLength: Math.max(maxLength, minLength) });
}
