import { md5Hex } from '@onenet-ota/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo, demoImage } from '../src/index.ts';
import { type AioAnswer, aioRequest } from './aio-client.ts';
import { demoAuthorization, type Harness, startHarness } from './harness.ts';

// OneNET's official C SDK reads every JSON answer, status line and headers included, into a 512-byte buffer
// (`HTTP_PACK_SIZE_LEN`), and keeps at most 10 response headers (`CONFIG_HTTP_HEADER_MAX_CNT`).
const packSize = 512;
const maxHeaders = 10;

let h: Harness;
let authorization: string;
beforeEach(async () => {
  h = await startHarness();
  authorization = await demoAuthorization(h.platform);
});
afterEach(() => h.close());

const json = (answer: AioAnswer) =>
  JSON.parse(answer.body.toString()) as { errno: number; data?: Record<string, never> };
const general = (): [string, string][] => [
  ['Content-Type', 'application/json'],
  ['Authorization', authorization],
];

/** What the C SDK needs of every JSON answer to read it at all. */
function readableByAio(answer: AioAnswer): void {
  expect(answer.wireBytes).toBeLessThanOrEqual(packSize);
  expect(answer.headers.length).toBeLessThanOrEqual(maxHeaders);
  expect(answer.headers.map(([name]) => name)).toContain('Content-Length');
}

describe("OneNET's official C SDK, byte for byte", () => {
  it('upgrades the demo device: check without manuf/model, Range s-e, padded Content-Length, a connection per request', async () => {
    const version = await aioRequest(
      h.url,
      'POST',
      `/ota/device/version?dev_id=${demo.devId}`,
      general(),
      JSON.stringify({ f_version: demo.fromVersion, s_version: demo.fromVersion }),
    );
    readableByAio(version);
    expect(json(version).errno).toBe(0);

    // ota_check_task: type, version, cdn, then dev_id; no manuf, no model.
    const check = await aioRequest(
      h.url,
      'GET',
      `/ota/south/check?type=2&version=${demo.fromVersion}&cdn=false&dev_id=${demo.devId}`,
      general(),
    );
    readableByAio(check);
    const task = json(check);
    expect(task.errno).toBe(0);
    const { token, size, md5 } = task.data as unknown as { token: string; size: number; md5: string };

    const parts: Buffer[] = [];
    for (let start = 0; start < size; start += 4096) {
      const tokenCheck = await aioRequest(
        h.url,
        'GET',
        `/ota/south/download/${token}/check?dev_id=${demo.devId}`,
        general(),
      );
      readableByAio(tokenCheck);
      expect(json(tokenCheck).errno).toBe(0);
      // ota_download_package: only Authorization and `Range: s-e`, no dev_id.
      const fragment = await aioRequest(h.url, 'GET', `/ota/south/download/${token}`, [
        ['Authorization', authorization],
        ['Range', `${start}-${Math.min(start + 4096, size) - 1}`],
      ]);
      expect(fragment.status).toBe(206);
      expect(fragment.headers.length).toBeLessThanOrEqual(maxHeaders);
      expect(fragment.wireBytes).toBeLessThanOrEqual(4096 + packSize);
      parts.push(fragment.body);
    }
    expect(md5Hex(Buffer.concat(parts))).toBe(md5);
    expect(md5).toBe(md5Hex(demoImage(demo.packageSize)));

    for (const step of [101, 201]) {
      const report = await aioRequest(
        h.url,
        'POST',
        `/ota/south/device/download/${token}/progress?dev_id=${demo.devId}`,
        general(),
        JSON.stringify({ step }),
      );
      readableByAio(report);
      expect(json(report).errno).toBe(0);
    }
    const status = await h.admin.GET('/api/v1/products/{productId}/tasks/{taskId}/devices/{devId}', {
      params: { path: { productId: demo.productId, taskId: 'tsk_1', devId: demo.devId } },
    });
    expect(status.data?.state).toBe('succeeded');
  });

  it('journals the missing manuf and model as tolerated, and the token as accepted', async () => {
    await aioRequest(
      h.url,
      'GET',
      `/ota/south/check?type=2&version=${demo.fromVersion}&cdn=false&dev_id=${demo.devId}`,
      general(),
    );
    const [entry] = h.platform.journal.query({ operation: 'checkTask' }).entries;
    expect(entry?.errno).toBe(0);
    expect(entry?.auth).toBe('accepted');
    expect(entry?.tolerated?.map((t) => t.pointer)).toEqual(['#/query/manuf', '#/query/model']);
  });

  it('serves what the docs require but hand-written clients leave out, and journals each omission', async () => {
    const check = await aioRequest(
      h.url,
      'GET',
      `/ota/south/check?dev_id=${demo.devId}&manuf=100&model=10001&type=2&version=${demo.fromVersion}`,
      general(),
    );
    expect(json(check).errno).toBe(0);
    const body = JSON.stringify({ s_version: demo.fromVersion });
    const typed = (contentType?: string): [string, string][] => [
      ...(contentType ? [['Content-Type', contentType] as [string, string]] : []),
      ['Authorization', authorization],
    ];
    for (const contentType of [undefined, 'text/plain', 'application/json;charset=UTF-8', 'Application/JSON'])
      expect(
        json(await aioRequest(h.url, 'POST', `/ota/device/version?dev_id=${demo.devId}`, typed(contentType), body))
          .errno,
      ).toBe(0);
    const tolerated = (operation: string) =>
      h.platform.journal.query({ operation }).entries.map((e) => e.tolerated?.map((t) => `${t.pointer} ${t.message}`));
    expect(tolerated('checkTask')).toEqual([["#/query/cdn is missing; OneNET's docs require it"]]);
    const note = "#/header/content-type Content-Type is not application/json; OneNET's docs require it";
    expect(tolerated('reportVersion')).toEqual([[note], [note], undefined, undefined]);
    // Read as JSON whatever its type, and journaled as what was read.
    const [untyped] = h.platform.journal.query({ operation: 'reportVersion' }).entries;
    expect(untyped?.request.body).toMatchObject({ json: { s_version: demo.fromVersion } });
    expect(untyped?.request.body?.contentType).toBeUndefined();
  });

  it('still fails the task with errno 8 when a device sends a manuf/model of another module', async () => {
    const check = await aioRequest(
      h.url,
      'GET',
      `/ota/south/check?dev_id=${demo.devId}&manuf=101&model=10101&type=2&version=${demo.fromVersion}&cdn=false`,
      general(),
    );
    expect(json(check).errno).toBe(8);
    expect(h.platform.journal.query({ operation: 'checkTask' }).entries[0]?.tolerated).toBeUndefined();
  });

  it('journals a refused token as refused', async () => {
    await aioRequest(h.url, 'GET', `/ota/south/check?type=2&version=V1.0&dev_id=${demo.devId}`, [
      ['Authorization', authorization.replace(/sign=[^&]+/, 'sign=AAAA')],
    ]);
    const [entry] = h.platform.journal.query({ operation: 'checkTask' }).entries;
    expect(entry?.errno).toBe(1);
    expect(entry?.auth).toBe('refused');
  });
});
