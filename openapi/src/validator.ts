import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenApiDocument } from './types.ts';

// ajv-formats ships CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const documentId = 'https://onenet-ota.invalid/openapi.json';

// Top-level OpenAPI fields and the OAS-only schema keywords: known to ajv, never validated.
const openApiVocabulary = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
  'example',
  'discriminator',
  'xml',
];
// The `x-` extensions this document uses inside or beside schemas.
const extensions = [
  'x-enum-varnames',
  'x-enum-descriptions',
  'x-problem-status',
  'x-ota-state-machine',
  'x-onenet-token-rules',
  'x-onenet-mqtt',
  'x-unknown-query-parameters',
];

/** Validates values against any schema of the spec, by component name or by JSON pointer. */
export interface SpecValidator {
  /** The validator of `#/components/schemas/{name}`. */
  schema(name: string): ValidateFunction;
  /** The validator of the schema at a JSON pointer such as `#/paths/~1ota~1south~1check/get/...`. */
  at(pointer: string): ValidateFunction;
}

/**
 * Compiles the whole document with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) in strict mode,
 * so a typo in a schema keyword fails loudly instead of validating nothing.
 */
export function createSpecValidator(doc: OpenApiDocument): SpecValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  // int32/int64 are OpenAPI formats; JavaScript numbers are exact only up to 2^53, which DevId's maximum enforces.
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  // What the platform can fetch: an http or https URL as the WHATWG parser reads it, without credentials, which
  // fetch refuses to request (a push receiver's URL).
  ajv.addFormat('http-url', { type: 'string', validate: fetchableUrl });
  ajv.addVocabulary([...openApiVocabulary, ...extensions]);
  ajv.addSchema({ ...doc, $id: documentId });

  const cache = new Map<string, ValidateFunction>();
  const at = (pointer: string): ValidateFunction => {
    let validate = cache.get(pointer);
    if (!validate) {
      if (!pointer.startsWith('#/'))
        throw new Error(`Expected a JSON pointer like "#/components/...", got "${pointer}"`);
      const fragment = pointer.slice(1).split('/').map(encodeURIComponent).join('/');
      validate = ajv.getSchema(`${documentId}#${fragment}`);
      if (!validate) throw new Error(`No schema at "${pointer}" in openapi.yaml`);
      cache.set(pointer, validate);
    }
    return validate;
  };
  return { at, schema: (name) => at(`#/components/schemas/${name}`) };
}

/** ajv's errors as one line each: `/data/size must be >= 1`. */
export function formatErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
}

function fetchableUrl(text: string): boolean {
  const url = URL.parse(text);
  return url !== null && /^https?:$/.test(url.protocol) && url.username === '' && url.password === '';
}
