import type { OpenApiDocument, OperationRef } from './types.ts';
/** Every operation of the document, in document order. */
export declare function listOperations(doc: OpenApiDocument): OperationRef[];
/** Resolves a local `$ref` (`#/components/...`) against the document; other values are returned as they are. */
export declare function deref<T = unknown>(doc: OpenApiDocument, value: unknown): T;
/** Reads the value at a JSON pointer of the form `#/a/b~1c`. */
export declare function resolvePointer(doc: OpenApiDocument, pointer: string): unknown;
/** A node of the document and the JSON pointer where it really lives. */
export interface Located {
  pointer: string;
  node: Record<string, unknown>;
}
/**
 * Follows `$ref`s from `node` (found at `pointer`) and returns the final node with its own pointer, so a
 * validator compiles the schema in its real place and its inner `$ref`s resolve.
 */
export declare function locate(doc: OpenApiDocument, pointer: string, node: unknown): Located;
/** Escapes one JSON-pointer segment (`/` → `~1`, `~` → `~0`). */
export declare function escapePointerSegment(segment: string): string;
