// Writes generated/openapi.json from openapi.yaml: the document for code that must not read files (the mock
// platform's core validates with it in any runtime); and generated/protocol.ts, the protocol as data (errno
// tables, enums, operations, patterns, bounds, the state machine) that the SDK, the platform and the suite import
// as `@onenet-ota/openapi/protocol`. Runs with `pnpm run generate`.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadSpec } from '../src/load-spec.ts';
import { renderProtocol } from './render-protocol.ts';

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

// The same care for the protocol module: tests import it while packing regenerates it.
const protocolTarget = new URL('protocol.ts', outDir);
const protocol = renderProtocol(loadSpec());
if (!existsSync(protocolTarget) || readFileSync(protocolTarget, 'utf8') !== protocol) {
  const partial = new URL('protocol.ts.partial', outDir);
  writeFileSync(partial, protocol);
  renameSync(partial, protocolTarget);
}
