import type { OpenApiDocument } from './types.ts';
/**
 * Absolute path of `openapi/openapi.yaml`, the single source of truth. Found through the package's own exports,
 * so it is the same file from the workspace's sources and from the published build.
 */
export declare const specPath: string;
/**
 * Parses `openapi.yaml` once per process and returns the same frozen-by-convention object afterwards.
 * Callers must not mutate it: validators and generators share it.
 */
export declare function loadSpec(): OpenApiDocument;
