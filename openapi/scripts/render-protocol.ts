import { deref, listOperations, type OpenApiDocument, type SchemaObject } from '../src/index.ts';

/**
 * Renders `generated/protocol.ts`: the runtime data of the spec that openapi-typescript does not emit
 * (enum names and meanings, errno tables per operation, routes, patterns, the state machine), so that no
 * package re-types a table the spec already holds.
 */
export function renderProtocol(doc: OpenApiDocument): string {
  const out: string[] = [
    '// Generated from openapi/openapi.yaml by `pnpm run generate`. Do not edit: change the spec instead.',
    '/* biome-ignore-all lint: generated code */',
    '',
  ];
  const enums = Object.entries(doc.components.schemas).filter(([, s]) => Array.isArray(s['x-enum-varnames']));

  for (const [name, schema] of enums) out.push(...renderEnum(name, schema));
  out.push(...renderEnumDescriptions(enums));
  out.push(...renderMergedErrno(enums));
  out.push(...renderProblemStatus(doc));
  out.push(...renderOperations(doc));
  out.push(...renderErrnoTypes(doc, enums));
  out.push(...renderPatterns(doc));
  out.push(...renderBounds(doc));
  out.push(
    "/** The OTA life cycle as data: the spec's `x-ota-state-machine` extension. */",
    `export const stateMachine = ${JSON.stringify(doc['x-ota-state-machine'], null, 2)} as const;`,
    '',
    "/** The tokens each OTA generation accepts: the spec's `x-onenet-token-rules` extension. */",
    `export const tokenRules = ${JSON.stringify(withoutDescription(doc['x-onenet-token-rules']), null, 2)} as const;`,
    '',
    "/** The new platform's upgrade notification over MQTT: the spec's `x-onenet-mqtt` extension. */",
    `export const mqttOta = ${JSON.stringify(withoutDescription(doc['x-onenet-mqtt']), null, 2)} as const;`,
    '',
  );
  return out.join('\n');
}

function renderEnum(name: string, schema: SchemaObject): string[] {
  const values = schema.enum ?? [];
  const names = schema['x-enum-varnames'] ?? [];
  const meanings = schema['x-enum-descriptions'] ?? [];
  if (names.length !== values.length || meanings.length !== values.length) {
    throw new Error(`Schema ${name}: enum, x-enum-varnames and x-enum-descriptions must have the same length`);
  }
  const members = values.map(
    (value, i) => `  /** ${escapeComment(String(meanings[i]))} */\n  ${names[i]}: ${JSON.stringify(value)},`,
  );
  return [
    `/** ${escapeComment(firstParagraph(schema.description ?? name))} */`,
    `export const ${name} = {\n${members.join('\n')}\n} as const;`,
    `export type ${name} = (typeof ${name})[keyof typeof ${name}];`,
    '',
  ];
}

function renderEnumDescriptions(enums: [string, SchemaObject][]): string[] {
  const table: Record<string, Record<string, string>> = {};
  for (const [name, schema] of enums) {
    table[name] = Object.fromEntries(
      (schema.enum ?? []).map((v, i) => [String(v), String(schema['x-enum-descriptions']?.[i])]),
    );
  }
  return [
    "/** Each enum value's meaning (`x-enum-descriptions`), by schema name and value. */",
    `export const enumDescriptions = ${JSON.stringify(table, null, 2)} as const;`,
    '',
  ];
}

// One name space for every errno of every operation: the same name must mean the same code everywhere.
function renderMergedErrno(enums: [string, SchemaObject][]): string[] {
  const merged = new Map<string, unknown>();
  for (const [name, schema] of enums.filter(([n]) => n.endsWith('Errno'))) {
    schema['x-enum-varnames']?.forEach((member, i) => {
      const code = schema.enum?.[i];
      if (merged.has(member) && merged.get(member) !== code) {
        throw new Error(`${name}.${member} is ${code} but another errno table has ${member} = ${merged.get(member)}`);
      }
      merged.set(member, code);
    });
  }
  const members = [...merged].sort((a, b) => Number(a[1]) - Number(b[1])).map(([k, v]) => `  ${k}: ${v},`);
  return [
    '/** Every errno name of every southbound operation. A code can have several names (its meaning differs by operation). */',
    `export const Errno = {\n${members.join('\n')}\n} as const;`,
    'export type Errno = (typeof Errno)[keyof typeof Errno];',
    '',
  ];
}

function renderProblemStatus(doc: OpenApiDocument): string[] {
  const schema = doc.components.schemas.ProblemType;
  const statuses = schema?.['x-problem-status'] as number[] | undefined;
  if (!schema?.enum || !statuses) return [];
  const table = Object.fromEntries(schema.enum.map((type, i) => [String(type), statuses[i]]));
  return [
    '/** The HTTP status of each management problem type (`x-problem-status`). */',
    `export const problemStatus = ${JSON.stringify(table, null, 2)} as const;`,
    '',
  ];
}

function renderOperations(doc: OpenApiDocument): string[] {
  const routes: Record<
    string,
    { method: string; path: string; tag: string; aliasOf?: string; errno?: string; errnoField?: string }
  > = {};
  for (const { operationId, method, path, operation } of listOperations(doc)) {
    const table = errnoSchemaOf(doc, operation.responses['200']);
    routes[operationId] = {
      method: method.toUpperCase(),
      path,
      tag: operation.tags?.[0] ?? '',
      ...(operation['x-alias-of'] ? { aliasOf: operation['x-alias-of'] } : {}),
      ...(table ? { errno: table.schema, errnoField: table.field } : {}),
    };
  }
  return [
    '/**',
    ' * Every operation by `operationId`: its route, tag, canonical operation (for deprecated aliases), its errno table',
    " * and the envelope field that carries it (`errno`, or `code` on the new platform's `{code, msg, request_id}`).",
    ' */',
    `export const operations = ${JSON.stringify(routes, null, 2)} as const;`,
    '/** The `operationId` of an operation of the spec. */',
    'export type OperationId = keyof typeof operations;',
    '',
  ];
}

// Types that tie each operation to its own errno table, so code cannot answer a code the operation lacks.
function renderErrnoTypes(doc: OpenApiDocument, enums: [string, SchemaObject][]): string[] {
  const referenced = new Set(
    listOperations(doc).map(({ operation }) => errnoSchemaOf(doc, operation.responses['200'])?.schema),
  );
  const tables = enums
    .filter(([name]) => name.endsWith('Errno') || referenced.has(name))
    .map(([name]) => `  ${name}: ${name};`);
  return [
    '/** Each errno table, by schema name, as the union of its codes. */',
    `export interface ErrnoTables {\n${tables.join('\n')}\n}`,
    '/** The southbound operations: those with an errno table. */',
    'export type SouthboundOperation = { [Op in OperationId]: (typeof operations)[Op] extends { errno: string } ? Op : never }[OperationId];',
    "/** The errno codes `op` may answer, from its table in the spec: `ErrnoOf<'checkToken'>` is `TokenCheckErrno`. */",
    'export type ErrnoOf<Op extends SouthboundOperation> = (typeof operations)[Op] extends { errno: infer T extends keyof ErrnoTables } ? ErrnoTables[T] : never;',
    '',
  ];
}

// The errno table of a southbound operation is the `$ref` of its JSON envelope's `errno` property (`code` in the
// new platform's envelope). A download names its table in the JSON refusal it may answer with.
function errnoSchemaOf(doc: OpenApiDocument, response: unknown): { schema: string; field: string } | undefined {
  const resolved = deref<{ content?: Record<string, { schema?: unknown }> }>(doc, response);
  const schema = deref<SchemaObject>(doc, resolved?.content?.['application/json']?.schema);
  const properties = schema?.properties as Record<string, { $ref?: string }> | undefined;
  for (const field of ['errno', 'code']) {
    const name = properties?.[field]?.$ref?.split('/').pop();
    if (name) return { schema: name, field };
  }
  return undefined;
}

function renderPatterns(doc: OpenApiDocument): string[] {
  const lines: string[] = [];
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    if (typeof schema.pattern === 'string')
      lines.push(`  ${name}: new RegExp(${JSON.stringify(schema.pattern)}, 'u'),`);
  }
  for (const [name, parameter] of Object.entries(doc.components.parameters ?? {})) {
    const pattern = (parameter as { schema?: SchemaObject }).schema?.pattern;
    if (typeof pattern === 'string') lines.push(`  ${name}Header: new RegExp(${JSON.stringify(pattern)}, 'u'),`);
  }
  for (const [name, header] of Object.entries(doc.components.headers ?? {})) {
    const pattern = (header as { schema?: SchemaObject }).schema?.pattern;
    if (typeof pattern === 'string')
      lines.push(`  ${name.replaceAll('-', '')}Header: new RegExp(${JSON.stringify(pattern)}, 'u'),`);
  }
  return [
    '/** The `pattern` of every string schema (and patterned parameter or response header, suffixed `Header`), as RegExps. */',
    `export const patterns = {\n${lines.join('\n')}\n} as const;`,
    '',
  ];
}

// The limits of integer schemas (`Step` 0–100, …), so code compares against the spec, not a retyped number.
function renderBounds(doc: OpenApiDocument): string[] {
  const lines: string[] = [];
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    if (schema.type !== 'integer' || (schema.minimum === undefined && schema.maximum === undefined)) continue;
    const limits = { minimum: schema.minimum, maximum: schema.maximum };
    lines.push(`  ${name}: ${JSON.stringify(limits)},`);
  }
  return [
    '/** `minimum` and `maximum` of every integer schema that has them. */',
    `export const bounds = {\n${lines.join('\n')}\n} as const;`,
    '',
  ];
}

function withoutDescription(value: unknown): unknown {
  const { description: _description, ...rest } = (value ?? {}) as Record<string, unknown>;
  return rest;
}

function firstParagraph(text: string): string {
  return text.split('\n\n')[0]?.replaceAll('\n', ' ').trim() ?? '';
}

function escapeComment(text: string): string {
  return text.replaceAll('*/', '*\\/');
}
