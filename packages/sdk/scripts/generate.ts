// Regenerates src/generated/ from openapi/openapi.yaml. Runs on `pnpm install` and at the start of `pnpm test`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadSpec, specPath } from '@onenet-ota/openapi';
import openapiTS, { astToString } from 'openapi-typescript';
import { renderProtocol } from './render-protocol.ts';

const outDir = new URL('../src/generated/', import.meta.url);
mkdirSync(outDir, { recursive: true });

const header = '// Generated from openapi/openapi.yaml by `pnpm run generate`. Do not edit: change the spec instead.\n';
const ast = await openapiTS(new URL(`file://${specPath}`), { alphabetize: false });
writeFileSync(new URL('openapi.d.ts', outDir), header + astToString(ast));
writeFileSync(new URL('protocol.ts', outDir), renderProtocol(loadSpec()));
