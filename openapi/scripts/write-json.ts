// Writes generated/openapi.json from openapi.yaml: the document for code that must not read files (the mock
// platform's core validates with it in any runtime). Runs with `pnpm run generate`.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadSpec } from '../src/load-spec.ts';

const outDir = new URL('../generated/', import.meta.url);
mkdirSync(outDir, { recursive: true });
const target = new URL('openapi.json', outDir);
const json = JSON.stringify(loadSpec());
// Packing runs this while tests start processes that read the file: an unchanged file is left alone, a changed
// one replaced whole (written beside, then renamed), so no reader ever sees it half-written.
if (!existsSync(target) || readFileSync(target, 'utf8') !== json) {
  const partial = new URL('openapi.json.partial', outDir);
  writeFileSync(partial, json);
  renameSync(partial, target);
}
