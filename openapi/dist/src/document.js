/**
 * @module
 * The node-free half of `@onenet-ota/openapi`: walking and validating an already-loaded document. Code that
 * must run in browsers or other runtimes (the mock platform's core) imports this instead of the package root.
 */
export { deref, escapePointerSegment, listOperations, locate, resolvePointer } from "./operations.js";
export { httpMethods } from "./types.js";
export { createSpecValidator, formatErrors } from "./validator.js";
//# sourceMappingURL=document.js.map