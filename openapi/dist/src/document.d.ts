/**
 * @module
 * The node-free half of `@onenet-ota/openapi`: walking and validating an already-loaded document. Code that
 * must run in browsers or other runtimes (the mock platform's core) imports this instead of the package root.
 */
export type { Located } from './operations.ts';
export { deref, escapePointerSegment, listOperations, locate, resolvePointer } from './operations.ts';
export type { HttpMethod, OpenApiDocument, OperationObject, OperationRef, PathItem, SchemaObject } from './types.ts';
export { httpMethods } from './types.ts';
export type { SpecValidator } from './validator.ts';
export { createSpecValidator, formatErrors } from './validator.ts';
