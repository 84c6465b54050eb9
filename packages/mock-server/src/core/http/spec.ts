import {
  createSpecValidator,
  escapePointerSegment,
  type Located,
  listOperations,
  locate,
  type OpenApiDocument,
  type SpecValidator,
} from '@onenet-ota/openapi/document';
import document from '@onenet-ota/openapi/openapi.json' with { type: 'json' };
import type { OperationId } from '@onenet-ota/openapi/protocol';

/** A parameter of an operation, with where its schema lives for ajv. */
export interface ParameterSpec {
  name: string;
  in: 'query' | 'path' | 'header';
  required: boolean;
  /**
   * OneNET's docs require it but real clients leave it out (`x-onenet-required`): the platform serves the call
   * and journals the omission under `tolerated`.
   */
  onenetRequired: boolean;
  type: string;
  schemaPointer: string;
}

/** What the platform needs to know of an operation to validate its input and output. */
export interface OperationSpec {
  parameters: ParameterSpec[];
  /** Media type → schema pointer of the request body. */
  requestBody: Record<string, string>;
  /**
   * OneNET's docs list `Content-Type: application/json` for its body (`x-onenet-required` on the request body):
   * the platform reads a body sent without it and journals that under `tolerated`.
   */
  jsonContentTypeByDocs: boolean;
  /** Status → media type → schema pointer of the response body. */
  responses: Record<string, Record<string, string>>;
  /** Status → header name (lower case) → whether it is required and where its schema is. */
  responseHeaders: Record<string, Record<string, { required: boolean; schemaPointer: string }>>;
  /** Its security lists `adminTokenQuery`: the admin token may come as `?access_token=` (what a browser opens). */
  acceptsQueryToken: boolean;
  /** A OneNET device token is required (`onenetToken`, with no anonymous alternative). */
  requiresDeviceToken: boolean;
}

const doc = document as unknown as OpenApiDocument;
let validator: SpecValidator | undefined;
const operationSpecs = new Map<string, OperationSpec>();

/** The ajv validator of the whole spec, compiled once per process. */
export function specValidator(): SpecValidator {
  validator ??= createSpecValidator(doc);
  return validator;
}

/** An operation's parameters, request body and responses with their schema pointers (`$ref`s followed). */
export function operationSpec(operationId: OperationId): OperationSpec {
  const cached = operationSpecs.get(operationId);
  if (cached) return cached;
  const op = listOperations(doc).find((o) => o.operationId === operationId);
  if (!op) throw new Error(`Operation ${operationId} is not in the spec`);
  const base = `#/paths/${escapePointerSegment(op.path)}`;
  const pathLevel = ((doc.paths[op.path]?.parameters ?? []) as unknown[]).map((p, i) =>
    follow(`${base}/parameters/${i}`, p),
  );
  const own = ((op.operation.parameters ?? []) as unknown[]).map((p, i) =>
    follow(`${base}/${op.method}/parameters/${i}`, p),
  );
  const parameters = [...pathLevel, ...own].map(({ pointer, node }) => {
    const schema = follow(`${pointer}/schema`, node.schema);
    return {
      name: String(node.name),
      in: node.in as ParameterSpec['in'],
      required: Boolean(node.required),
      onenetRequired: node['x-onenet-required'] === true,
      type: String(schema.node.type ?? 'string'),
      schemaPointer: schema.pointer,
    };
  });
  const security = (op.operation.security ?? []) as Record<string, unknown>[];
  const body = op.operation.requestBody
    ? follow(`${base}/${op.method}/requestBody`, op.operation.requestBody)
    : undefined;
  const spec: OperationSpec = {
    acceptsQueryToken: security.some((requirement) => 'adminTokenQuery' in requirement),
    // An operation without its own security has the document's: OneNET's device token.
    requiresDeviceToken: ((op.operation.security ?? doc.security ?? []) as Record<string, unknown>[]).every(
      (requirement) => 'onenetToken' in requirement,
    ),
    parameters,
    requestBody: body ? contentPointers(body) : {},
    jsonContentTypeByDocs: body?.node['x-onenet-required'] === true,
    responseHeaders: {},
    responses: Object.fromEntries(
      Object.entries(op.operation.responses).map(([status, response]) => [
        status,
        contentPointers(follow(`${base}/${op.method}/responses/${status}`, response)),
      ]),
    ),
  };
  spec.responseHeaders = Object.fromEntries(
    Object.entries(op.operation.responses).map(([status, response]) => [
      status,
      headerPointers(follow(`${base}/${op.method}/responses/${status}`, response)),
    ]),
  );
  operationSpecs.set(operationId, spec);
  return spec;
}

function contentPointers(owner: Located): Record<string, string> {
  const content = (owner.node.content ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(content).map((media) => {
      const located = follow(`${owner.pointer}/content/${escapePointerSegment(media)}`, content[media]);
      return [media, follow(`${located.pointer}/schema`, located.node.schema).pointer];
    }),
  );
}

function headerPointers(owner: Located): Record<string, { required: boolean; schemaPointer: string }> {
  const headers = (owner.node.headers ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(headers).map((name) => {
      const located = follow(`${owner.pointer}/headers/${escapePointerSegment(name)}`, headers[name]);
      const schema = follow(`${located.pointer}/schema`, located.node.schema);
      return [name.toLowerCase(), { required: located.node.required === true, schemaPointer: schema.pointer }];
    }),
  );
}

function follow(pointer: string, node: unknown): Located {
  return locate(doc, pointer, node);
}

/** The `default` the spec gives a property of a component schema, for fields a request may leave out. */
export function schemaDefault(schema: string, property: string): unknown {
  const properties = (doc.components?.schemas?.[schema] as { properties?: Record<string, { default?: unknown }> })
    ?.properties;
  const value = properties?.[property]?.default;
  if (value === undefined) throw new Error(`the spec gives ${schema}.${property} no default`);
  return value;
}

/**
 * Whether an operation answers with a file (a package download): the one kind of GET a HEAD is served for, as a
 * device may ask a file's size before fetching it. Every other GET may change state (a check issues a token).
 */
export function answersFile(operationId: OperationId): boolean {
  // Asked for HEADs only, of a spec read once (`operationSpec` keeps it): no cache of its own.
  return Object.values(operationSpec(operationId).responses).some((media) => 'application/octet-stream' in media);
}
