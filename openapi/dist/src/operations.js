import { httpMethods } from "./types.js";
/** Every operation of the document, in document order. */
export function listOperations(doc) {
    const found = [];
    for (const [path, item] of Object.entries(doc.paths)) {
        for (const method of httpMethods) {
            const operation = item[method];
            if (operation)
                found.push({ operationId: operation.operationId, method, path, operation });
        }
    }
    return found;
}
/** Resolves a local `$ref` (`#/components/...`) against the document; other values are returned as they are. */
export function deref(doc, value) {
    let current = value;
    for (let depth = 0; depth < 16; depth++) {
        if (!isRef(current))
            return current;
        current = resolvePointer(doc, current.$ref);
    }
    throw new Error(`$ref chain too deep at ${JSON.stringify(value)}: check openapi.yaml for a $ref cycle`);
}
/** Reads the value at a JSON pointer of the form `#/a/b~1c`. */
export function resolvePointer(doc, pointer) {
    if (!pointer.startsWith('#/'))
        throw new Error(`Only local $refs are supported, got "${pointer}"`);
    let node = doc;
    for (const raw of pointer.slice(2).split('/')) {
        const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
        if (node === null || typeof node !== 'object' || !(key in node)) {
            throw new Error(`Failed to resolve "${pointer}": no "${key}" there`);
        }
        node = node[key];
    }
    return node;
}
function isRef(value) {
    return typeof value === 'object' && value !== null && typeof value.$ref === 'string';
}
/**
 * Follows `$ref`s from `node` (found at `pointer`) and returns the final node with its own pointer, so a
 * validator compiles the schema in its real place and its inner `$ref`s resolve.
 */
export function locate(doc, pointer, node) {
    let located = { pointer, node: (node ?? {}) };
    for (let depth = 0; typeof located.node.$ref === 'string'; depth++) {
        if (depth > 16)
            throw new Error(`$ref chain too deep at ${pointer}: check openapi.yaml for a $ref cycle`);
        const target = located.node.$ref;
        located = { pointer: target, node: resolvePointer(doc, target) };
    }
    return located;
}
/** Escapes one JSON-pointer segment (`/` → `~1`, `~` → `~0`). */
export function escapePointerSegment(segment) {
    return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
//# sourceMappingURL=operations.js.map