// Regenerates src/generated/ from openapi/openapi.yaml. Runs on `pnpm install` and at the start of `pnpm test`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { specPath } from '@onenet-ota/openapi';
import openapiTS, { astToString } from 'openapi-typescript';

const outDir = new URL('../src/generated/', import.meta.url);
mkdirSync(outDir, { recursive: true });

const header = '// Generated from openapi/openapi.yaml by `pnpm run generate`. Do not edit: change the spec instead.\n';
// defaultNonNullable off: a field with a default is still optional in a request the client sends.
const ast = await openapiTS(new URL(`file://${specPath}`), { alphabetize: false, defaultNonNullable: false });
// openapi-typescript leaves its three root types bare; say what they are, for typedoc and editors.
const documented = astToString(ast)
  .replace(
    'export interface paths {',
    '/** Every path of the spec with its operations, for openapi-fetch. */\nexport interface paths {',
  )
  .replace(
    'export interface components {',
    "/** The spec's components: schemas, parameters, responses. */\nexport interface components {",
  )
  .replace(
    'export interface operations {',
    '/** Every operation of the spec by `operationId`. */\nexport interface operations {',
  )
  // JSDoc tags typedoc does not know: a description is the comment's text; `const` is in the type already.
  .replaceAll('@description ', '')
  .replaceAll('/** @constant */', '/** A constant. */');
writeFileSync(new URL('openapi.ts', outDir), header + documented);
