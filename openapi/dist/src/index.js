/**
 * @module
 * The OpenAPI document of OneNET OTA and the tools to read it: loading, walking operations, and ajv
 * validation of any value against any of its schemas.
 */
export * from "./document.js";
export { loadSpec, specPath } from "./load-spec.js";
//# sourceMappingURL=index.js.map