import type { OpenApiDocument, OperationRef } from './types.ts';
import { httpMethods } from './types.ts';

/** Every operation of the document, in document order. */
export function listOperations(doc: OpenApiDocument): OperationRef[] {
  const found: OperationRef[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of httpMethods) {
      const operation = item[method];
      if (operation) found.push({ operationId: operation.operationId, method, path, operation });
    }
  }
  return found;
}

/** Resolves a local `$ref` (`#/components/...`) against the document; other values are returned as they are. */
export function deref<T = unknown>(doc: OpenApiDocument, value: unknown): T {
  let current = value;
  for (let depth = 0; depth < 16; depth++) {
    if (!isRef(current)) return current as T;
    current = resolvePointer(doc, current.$ref);
  }
  throw new Error(`$ref chain too deep at ${JSON.stringify(value)}: check openapi.yaml for a $ref cycle`);
}

/** Reads the value at a JSON pointer of the form `#/a/b~1c`. */
export function resolvePointer(doc: OpenApiDocument, pointer: string): unknown {
  if (!pointer.startsWith('#/')) throw new Error(`Only local $refs are supported, got "${pointer}"`);
  let node: unknown = doc;
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in node)) {
      throw new Error(`Failed to resolve "${pointer}": no "${key}" there`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function isRef(value: unknown): value is { $ref: string } {
  return typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';
}
