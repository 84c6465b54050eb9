import { describe, expect, it } from 'vitest';
import { createSpecValidator, formatErrors, listOperations, loadSpec } from '../src/index.ts';
import { collectExamples } from './collect-examples.ts';

const doc = loadSpec();
const validator = createSpecValidator(doc);
const { examples, mediaTypes } = collectExamples(doc);

describe('examples', () => {
  it('finds an example in every operation that takes parameters or a body', () => {
    const withExample = new Set(examples.map((e) => e.where.split(' ')[0]));
    const withInput = listOperations(doc).filter(
      ({ path, operation }) => operation.parameters || operation.requestBody || doc.paths[path]?.parameters,
    );
    expect(withInput.length).toBeGreaterThan(40);
    for (const { operationId } of withInput) expect(withExample, operationId).toContain(operationId);
  });

  it.each(mediaTypes.map((m) => [m.where, m.hasExample] as const))('%s has an example', (_where, hasExample) => {
    expect(hasExample).toBe(true);
  });

  it.each(examples.map((e) => [e.where, e] as const))('%s validates against its schema', (_where, example) => {
    const validate = validator.at(example.schemaPointer);
    const valid = validate(example.value);
    expect(valid, formatErrors(validate)).toBe(true);
  });
});

describe('payloads quoted in the protocol reference', () => {
  // Real traffic and documented examples (docs/protocol.md and its sources) must be valid, and present as examples.
  const quoted = {
    'check response of the simulation page (§2.2)': {
      schema: 'CheckResponse',
      value: {
        errno: 0,
        error: 'succ',
        data: {
          target: 'V1',
          token: 'ota_iF0hnXrq2CxLrP8vZ39l',
          size: 22,
          md5: 'ad2f4e4ea2a27eace7e4913139f8f01a',
          signal: 10,
          power: 50,
          retry: 0,
          interval: 0,
          type: 1,
        },
      },
    },
    'recorded versions (§2.8)': {
      schema: 'VersionQueryResponse',
      value: { errno: 0, error: 'succ', data: { f_version: '1.0', s_version: '2.0' } },
    },
    'devInfo response (§2.9)': {
      schema: 'DevInfoResponse',
      value: { errno: 0, error: 'succ', data: { dev_id: '233444' } },
    },
    'version report body (§2.1)': { schema: 'VersionReport', value: { f_version: '1.0', s_version: '2.0' } },
    'progress body (§2.5)': { schema: 'ProgressReport', value: { step: 54 } },
    'report body (§2.6)': { schema: 'StatusReport', value: { result: 101 } },
  };

  it.each(Object.entries(quoted))('%s validates and is an example of the spec', (_name, { schema, value }) => {
    const validate = validator.schema(schema);
    expect(validate(value), formatErrors(validate)).toBe(true);
    expect(examples.map((e) => e.value)).toContainEqual(value);
  });

  it('rejects the documented placeholder md5 "dfkdajkfd" (§2.2), which is not an md5', () => {
    expect(validator.schema('Md5')('dfkdajkfd')).toBe(false);
  });
});
