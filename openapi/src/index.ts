/**
 * @module
 * The OpenAPI document of OneNET OTA and the tools to read it: loading, walking operations, and ajv
 * validation of any value against any of its schemas.
 */
export { loadSpec, specPath } from './load-spec.ts';
export { deref, listOperations, resolvePointer } from './operations.ts';
export type { HttpMethod, OpenApiDocument, OperationObject, OperationRef, PathItem, SchemaObject } from './types.ts';
export { httpMethods } from './types.ts';
export type { SpecValidator } from './validator.ts';
export { createSpecValidator, formatErrors } from './validator.ts';
