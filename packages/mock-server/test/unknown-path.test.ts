import { CheckErrno, enumDescriptions, FuseCode } from '@onenet-ota/sdk';
import { describe, expect, it } from 'vitest';
import { startHarness } from './harness.ts';

// A device that calls a path OneNET does not have gets an answer it can parse: the errno envelope under /ota/,
// a problem document elsewhere (the management side's dialect).
describe('a path no operation answers', () => {
  it('under /ota/ answers the errno envelope (errno 2) with 404, and journals it', async () => {
    const h = await startHarness();
    try {
      const response = await h.fetch(new Request(`${h.url}/ota/devInfoX?dev_id=1`, { method: 'POST' }));
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
      expect(await response.json()).toEqual({
        errno: CheckErrno.BadRequest,
        error: 'request parameter error: no OneNET OTA device operation answers POST /ota/devInfoX',
      });
      // Kept with the device its query names, so the device's own journal shows the call it got wrong.
      expect(h.platform.journal.query({ devId: 1 }).entries.at(-1)).toMatchObject({
        operation: null,
        devId: 1,
        note: 'no operation answers POST /ota/devInfoX',
        response: { status: 404 },
      });
    } finally {
      await h.close();
    }
  });

  it.each([
    ['POST', '/ota/south/check?dev_id=1', 'GET', { errno: CheckErrno.BadRequest }],
    ['GET', '/ota/device/version?dev_id=1', 'GET, POST', undefined],
    ['PUT', '/fuse-ota/123123/dev/version', 'GET, POST', { code: FuseCode.BadRequest }],
    ['DELETE', '/__mock/clock', 'GET, PUT', { type: 'urn:onenet-ota:problem:method-not-allowed', status: 405 }],
  ] as const)(
    'answers %s %s, a path asked with another method, 405 with Allow: %s',
    async (method, path, allow, body) => {
      const h = await startHarness();
      try {
        const response = await h.fetch(new Request(`${h.url}${path}`, { method }));
        if (!body) {
          // Both methods exist: not a wrong method at all.
          expect(response.status).toBe(200);
          return;
        }
        expect([response.status, response.headers.get('allow')]).toEqual([405, allow]);
        const json = (await response.json()) as Record<string, unknown>;
        expect(json).toMatchObject(body);
        expect(JSON.stringify(json)).toContain(`answers ${allow}, not ${method}`);
        // Kept in the journal, as any device call the platform could not take; control calls never are.
        const kept = h.platform.journal.query().entries.at(-1)?.response.status;
        expect(kept).toBe(path.startsWith('/__mock') ? undefined : 405);
      } finally {
        await h.close();
      }
    },
  );

  it('with a doubled slash (a base URL ending in /) answers the errno envelope naming the path as sent', async () => {
    const h = await startHarness();
    try {
      const response = await h.fetch(new Request(`${h.url}//ota/south/check?dev_id=1`));
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        errno: CheckErrno.BadRequest,
        error: 'request parameter error: no OneNET OTA device operation answers GET //ota/south/check',
      });
      expect(h.platform.journal.query({ devId: 1 }).entries.at(-1)?.request.path).toBe('//ota/south/check');
    } finally {
      await h.close();
    }
  });

  it("under /fuse-ota/ answers the new platform's envelope (code 2, msg, request_id) with 404", async () => {
    const h = await startHarness();
    try {
      const response = await h.fetch(new Request(`${h.url}/fuse-ota/123123/dev/1/upgrade`, { method: 'POST' }));
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(await response.json()).toEqual({
        code: FuseCode.BadRequest,
        msg: `${enumDescriptions.FuseCode[FuseCode.BadRequest]}: no OneNET OTA device operation answers POST /fuse-ota/123123/dev/1/upgrade`,
        request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
    } finally {
      await h.close();
    }
  });

  it('elsewhere answers an RFC 9457 problem', async () => {
    const h = await startHarness();
    try {
      const response = await h.fetch(new Request(`${h.url}/api/v1/nothing`));
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    } finally {
      await h.close();
    }
  });
});
