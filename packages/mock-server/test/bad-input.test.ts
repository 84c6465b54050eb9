import { operations } from '@onenet-ota/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';
import { demoAuthorization, type Harness, readAnswer, startHarness } from './harness.ts';

// Bad input gets an answer in the protocol's own terms, never a crash or a 500: every operation of the spec is
// called with garbage in each place it takes input, and every answer must be one the spec documents (the harness
// checks that) and not a server error.
let h: Harness;
let valid: string;
beforeAll(async () => {
  h = await startHarness();
  // Half the calls carry a token the platform accepts, so the garbage reaches the checks behind authentication.
  valid = await demoAuthorization(h.platform);
});
afterAll(() => h.close());

const garbage = ['', '-1', '0', '9'.repeat(30), 'ota_', '%', '../..', '{"a":', '版本', 'true'];
const bodies = [
  '',
  '{',
  'null',
  '[]',
  '{"step":"x"}',
  '{"result":1e309}',
  '{"name":{"$gt":""}}',
  '"a"',
  `{"s_version":"${'x'.repeat(5000)}"}`,
];

const cases = (Object.entries(operations) as [string, { method: string; path: string }][]).flatMap(
  ([operationId, { method, path }]) =>
    garbage.flatMap((value, i) => {
      // Studio and new-platform paths name a real device on half the calls, so the garbage reaches past the lookup.
      const named = i % 2 === 0 ? { pro_id: demo.productId, dev_name: demo.deviceName } : {};
      const filled = path.replace(
        /\{(\w+)\}/g,
        (_, name: string) => (named as Record<string, string>)[name] ?? encodeURIComponent(value || 'x'),
      );
      const query = new URLSearchParams({
        dev_id: value,
        token: value,
        type: value,
        version: value,
        manuf: value,
        model: value,
        limit: value,
        pid: value,
        authInfo: value,
      });
      const body = bodies[i % bodies.length] as string;
      return [
        [
          `${operationId} with ${JSON.stringify(value)} and body ${JSON.stringify(body.slice(0, 20))}`,
          method,
          `${filled}?${query}`,
          body,
          i % 2 === 0,
        ] as const,
      ];
    }),
);

describe('bad input', () => {
  it.each(cases)('%s', async (_name, method, path, body, signed) => {
    const hasBody = method !== 'GET' && method !== 'DELETE';
    const response = await h.fetch(
      new Request(`${h.url}${path}`, {
        method,
        headers: {
          'Content-Type': 'application/json',
          Authorization: signed ? valid : 'version=2018-10-31&res=products%2F123123&et=1&method=sha1&sign=x',
        },
        ...(hasBody ? { body } : {}),
      }),
    );
    await readAnswer(response);
    expect(response.status, `${method} ${path}`).toBeLessThan(500);
  });
});
