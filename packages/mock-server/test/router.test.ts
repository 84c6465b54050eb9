import { type OperationId, operations } from '@onenet-ota/sdk';
import { describe, expect, it } from 'vitest';
import { route } from '../src/core/http/router.ts';

const literals = (path: string) => path.split('/').filter((s) => s && !s.startsWith('{')).length;

// The router looks paths up by method and length instead of trying every pattern: every operation of the spec must
// still be reached by its own path, unless a more literal path of the spec is the same text.
describe('the router', () => {
  const all = Object.entries(operations) as [OperationId, { method: string; path: string; aliasOf?: OperationId }][];

  it.each(all)('finds %s by its path', (operationId, { method, path }) => {
    const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => `${name}%20x`);
    const found = route(method, concrete);
    expect(found).toBeDefined();
    const winner = operations[found?.operationId as OperationId] as { method: string; path: string };
    if (found?.operationId !== operationId) {
      // Another operation answers the same text: it must be at least as literal, and its own pattern must fit.
      expect(literals(winner.path)).toBeGreaterThanOrEqual(literals(path));
    }
    expect(winner.method).toBe(method);
    for (const [name, value] of Object.entries(found?.params ?? {})) expect([name, value]).toEqual([name, `${name} x`]);
    // One trailing slash is forgiven, a second is not.
    expect(route(method, `${concrete}/`)?.operationId).toBe(found?.operationId);
    expect(route(method, `${concrete}//`)).toBeUndefined();
  });

  it('matches a parameter only as a whole, non-empty segment, decoding it, and a literal only as itself', () => {
    expect(route('GET', '/ota/south/download/ota_abc')?.params).toEqual({ token: 'ota_abc' });
    expect(route('GET', '/ota/south/download/a%2Fb')?.params).toEqual({ token: 'a/b' });
    // A broken escape is kept as sent rather than refused.
    expect(route('GET', '/ota/south/download/%E0%A4%A')?.params).toEqual({ token: '%E0%A4%A' });
    expect(route('GET', '/ota/south/download//check')).toBeUndefined();
    expect(route('GET', '/ota/south/downloads/ota_abc')).toBeUndefined();
    expect(route('GET', '/ota/south/downloa/ota_abc')).toBeUndefined();
    expect(route('GET', '/ota/south/checks')).toBeUndefined();
  });

  it('finds nothing for a method or length no operation has', () => {
    expect(route('GET', '/ota/south/check/extra')).toBeUndefined();
    expect(route('DELETE', '/ota/south/check')).toBeUndefined();
    expect(route('GET', '/')).toBeUndefined();
  });
});
