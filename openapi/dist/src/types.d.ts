/**
 * The parts of an OpenAPI 3.1 document this project walks. Deliberately loose: the document is data
 * read from YAML, and every consumer checks the shape it needs.
 */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, SchemaObject>;
    parameters?: Record<string, unknown>;
    responses?: Record<string, unknown>;
    requestBodies?: Record<string, unknown>;
    examples?: Record<
      string,
      {
        value: unknown;
      }
    >;
    [key: string]: unknown;
  };
  'x-ota-state-machine': unknown;
  [key: string]: unknown;
}
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';
export declare const httpMethods: readonly HttpMethod[];
export type PathItem = Partial<Record<HttpMethod, OperationObject>> & {
  parameters?: unknown[];
};
export interface OperationObject {
  operationId: string;
  tags?: string[];
  deprecated?: boolean;
  'x-alias-of'?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  [key: string]: unknown;
}
export interface SchemaObject {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  description?: string;
  'x-enum-varnames'?: string[];
  'x-enum-descriptions'?: string[];
  [key: string]: unknown;
}
/** One operation located in the document. */
export interface OperationRef {
  operationId: string;
  method: HttpMethod;
  path: string;
  operation: OperationObject;
}
