// Bundles the web console's script (src/console/app.ts, with the SDK's management client and openapi-fetch) into
// src/console/generated/script.ts, a string the platform serves. Runs with `pnpm run generate`: on install, at
// the start of `pnpm test` and before packing. The page then needs nothing from outside this platform.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const result = await build({
  entryPoints: [new URL('../src/console/app.ts', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  write: false,
});
const script = result.outputFiles[0]?.text ?? '';
const source = `// Generated from src/console/app.ts by scripts/build-console.ts. Do not edit: change app.ts instead.
/** The web console's script: an ES module, minified, ${script.length} bytes. */
export const consoleScript: string = ${JSON.stringify(script)};
`;
const outDir = new URL('../src/console/generated/', import.meta.url);
const out = new URL('script.ts', outDir);
mkdirSync(outDir, { recursive: true });
// Written only when it changed, and whole: other processes may be importing it.
if (!existsSync(out) || readFileSync(out, 'utf8') !== source) {
  writeFileSync(new URL('script.ts.tmp', outDir), source);
  renameSync(new URL('script.ts.tmp', outDir), out);
}
