import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { OpenApiDocument } from './types.ts';

/** Absolute path of `openapi/openapi.yaml`, the single source of truth. */
export const specPath: string = fileURLToPath(new URL('../openapi.yaml', import.meta.url));

let cached: OpenApiDocument | undefined;

/**
 * Parses `openapi.yaml` once per process and returns the same frozen-by-convention object afterwards.
 * Callers must not mutate it: validators and generators share it.
 */
export function loadSpec(): OpenApiDocument {
  cached ??= parse(readFileSync(specPath, 'utf8')) as OpenApiDocument;
  return cached;
}
