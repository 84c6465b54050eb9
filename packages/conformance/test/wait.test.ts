import { createDeviceClient, OtaAgent } from '@onenet-ota/sdk';
import { expect, it } from 'vitest';
import { runConformance, waitDevice } from '../src/index.ts';

// A device that polls by itself, as real hardware does: it is configured from what the suite prints, once.
it('waits for a self-polling device and judges it from the platform', async () => {
  let printed = '';
  let stop = false;
  const device = (async () => {
    while (!printed) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = printed.match(/platform {3}(\S+)/)?.[1] ?? '';
    const [, productId = '', accessKey = ''] = printed.match(/product {4}(\S+) {3}access key (\S+)/) ?? [];
    const devId = Number(printed.match(/dev_id (\d+)/)?.[1]);
    while (!stop) {
      await new OtaAgent({
        client: createDeviceClient({ baseUrl: url, productId, accessKey }),
        devId,
        type: 2,
        manuf: '100',
        model: '10001',
        version: 'V1.0',
        install: async () => {},
      }).run();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const result = await runConformance({
    device: waitDevice((text) => {
      printed += text;
    }),
    cases: ['RPT-003', 'RNG-003'],
    idleMs: 600,
    caseTimeoutMs: 20_000,
  });
  stop = true;
  await device;
  expect(result.cases.find((c) => c.id === 'RPT-003')?.verdict).toBe('pass');
  expect(result.cases.find((c) => c.id === 'RNG-003')?.verdict).toBe('skip');
  expect(printed).toContain('Configure the device under test once');
}, 30_000);
