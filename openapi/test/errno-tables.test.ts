import { describe, expect, it } from 'vitest';
import { deref, listOperations, loadSpec } from '../src/index.ts';

const doc = loadSpec();
const schemas = doc.components.schemas;
const errnoTables = Object.entries(schemas).filter(([name]) => name.endsWith('Errno'));
// The official C SDK's HTTP client reads JSON bodies of at most 512 bytes (mock-server issue, protocol §2.0).
const embeddedBodyLimit = 512;

describe('errno tables', () => {
  it('exist for every southbound operation with a JSON answer', () => {
    const southbound = listOperations(doc).filter(
      ({ operation, operationId }) =>
        operation.tags?.some((t) => t === 'device' || t === 'device-legacy') && !operationId.startsWith('download'),
    );
    expect(southbound).toHaveLength(11);
    for (const { operationId, operation } of southbound) {
      const response = deref<{ content: Record<string, { schema: unknown }> }>(doc, operation.responses['200']);
      const envelope = deref<{ properties: { errno: { $ref: string } } }>(
        doc,
        response.content['application/json']?.schema,
      );
      expect(envelope.properties.errno.$ref, operationId).toMatch(/^#\/components\/schemas\/\w+Errno$/);
    }
  });

  it.each(errnoTables)('%s names and explains every code', (_name, schema) => {
    const codes = schema.enum as number[];
    const names = schema['x-enum-varnames'] as string[];
    const meanings = schema['x-enum-descriptions'] as string[];
    expect(names).toHaveLength(codes.length);
    expect(meanings).toHaveLength(codes.length);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(codes).size).toBe(codes.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    expect(codes[0]).toBe(0);
    expect(meanings[0]).toBe('succ');
  });

  it('gives a name one code across all tables', () => {
    const byName = new Map<string, number>();
    for (const [table, schema] of errnoTables) {
      (schema['x-enum-varnames'] as string[]).forEach((name, i) => {
        const code = (schema.enum as number[])[i] as number;
        expect(byName.get(name) ?? code, `${table}.${name}`).toBe(code);
        byName.set(name, code);
      });
    }
  });

  it('keeps every error envelope within what embedded clients read', () => {
    for (const [table, schema] of errnoTables) {
      (schema['x-enum-descriptions'] as string[]).forEach((error, i) => {
        const body = JSON.stringify({ errno: (schema.enum as number[])[i], error });
        expect(Buffer.byteLength(body), `${table}: ${body}`).toBeLessThanOrEqual(embeddedBodyLimit);
      });
    }
  });

  it('keeps the largest possible check response within what embedded clients read', () => {
    const info = schemas.TaskInfo?.properties as Record<string, { maxLength?: number }>;
    const version = schemas.PackageVersion?.pattern?.match(/\{1,(\d+)\}/)?.[1];
    const largest = {
      errno: 0,
      error: 'succ',
      data: {
        target: 'V'.repeat(Number(version)),
        token: `ota_${'a'.repeat(20)}`,
        size: Number.MAX_SAFE_INTEGER,
        md5: 'f'.repeat(32),
        signal: Number.MAX_SAFE_INTEGER,
        power: 100,
        retry: Number.MAX_SAFE_INTEGER,
        interval: Number.MAX_SAFE_INTEGER,
        ipPort: 'h'.repeat(info.ipPort?.maxLength ?? 10_000),
        type: 2,
      },
    };
    expect(Buffer.byteLength(JSON.stringify(largest))).toBeLessThanOrEqual(embeddedBodyLimit);
  });
});
