import { type ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenApiDocument } from './types.ts';
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
export declare function createSpecValidator(doc: OpenApiDocument): SpecValidator;
/** ajv's errors as one line each: `/data/size must be >= 1`. */
export declare function formatErrors(validate: ValidateFunction): string;
