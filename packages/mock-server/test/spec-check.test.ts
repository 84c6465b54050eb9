import { describe, expect, it } from 'vitest';
import { checkAgainstSpec } from './harness.ts';

// The harness's spec check must be able to fail, or every "validates against the spec" claim is empty.
describe('the spec check of the test harness', () => {
  const request = new Request('http://mock.invalid/ota/south/check?dev_id=1');
  const json = (body: unknown) =>
    new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });

  it('passes an envelope the spec allows', async () => {
    expect(await checkAgainstSpec(request, json({ errno: 11, error: 'no upgrade task for this module type' }))).toEqual(
      [],
    );
  });

  it.each([
    ['an errno outside the table', { errno: 12, error: 'x' }],
    [
      'a token of the wrong form',
      {
        errno: 0,
        error: 'succ',
        data: {
          target: 'V1',
          token: 'ota_short',
          size: 1,
          md5: 'a'.repeat(32),
          signal: 0,
          power: 0,
          retry: 0,
          interval: 0,
          type: 1,
        },
      },
    ],
    ['an extra field', { errno: 0, error: 'succ', extra: 1 }],
  ])('flags %s', async (_name, body) => {
    expect(await checkAgainstSpec(request, json(body))).toHaveLength(1);
  });

  it('flags an undocumented status and a download whose Content-Length lies', async () => {
    expect(
      await checkAgainstSpec(
        request,
        new Response('{}', { status: 500, headers: { 'Content-Type': 'application/json' } }),
      ),
    ).toHaveLength(1);
    const download = new Request('http://mock.invalid/ota/south/download/ota_AAAAAAAAAAAAAAAAAAAA');
    const lying = new Response(new Uint8Array(5), {
      status: 206,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': 'bytes 0-9/10', 'Content-Length': '10' },
    });
    expect(await checkAgainstSpec(download, lying)).toHaveLength(1);
  });
});
