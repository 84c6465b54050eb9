import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import type { OpenApiDocument } from './types.ts';

/**
 * Absolute path of `openapi/openapi.yaml`, the single source of truth. Found through the package's own exports,
 * so it is the same file from the workspace's sources and from the published build.
 */
export const specPath: string = createRequire(import.meta.url).resolve('@onenet-ota/openapi/openapi.yaml');

let cached: OpenApiDocument | undefined;

/**
 * Parses `openapi.yaml` once per process and returns the same frozen-by-convention object afterwards.
 * Callers must not mutate it: validators and generators share it.
 */
export function loadSpec(): OpenApiDocument {
  cached ??= parse(readFileSync(specPath, 'utf8')) as OpenApiDocument;
  return cached;
}
