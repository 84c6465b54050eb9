// Writes generated/openapi.json from openapi.yaml: the document for code that must not read files (the mock
// platform's core validates with it in any runtime). Runs with `pnpm run generate`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadSpec } from '../src/load-spec.ts';

const outDir = new URL('../generated/', import.meta.url);
mkdirSync(outDir, { recursive: true });
writeFileSync(new URL('openapi.json', outDir), JSON.stringify(loadSpec()));
