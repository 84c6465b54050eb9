import { createDeviceClient, ModuleType, OtaAgent } from '@onenet-ota/sdk';
import { expect, it } from 'vitest';
import { type DeviceDriver, type DeviceSetup, runConformance, waitDevice } from '../src/index.ts';

// A device that polls by itself, as real hardware does: it is configured once, from what the suite tells it.
it('waits for a self-polling device and judges it from the platform', async () => {
  let printed = '';
  const driver = waitDevice((text) => {
    printed += text;
  });
  // What the suite prints for a person, handed to the simulated device as data (no parsing of the console).
  let configure: (setup: DeviceSetup) => void = () => {};
  const configured = new Promise<DeviceSetup>((resolve) => {
    configure = resolve;
  });
  const device: DeviceDriver = {
    ...driver,
    start(setup) {
      configure(setup);
      return driver.start(setup);
    },
  };
  let stop = false;
  const polling = (async () => {
    const setup = await configured;
    while (!stop) {
      await new OtaAgent({
        client: createDeviceClient({ baseUrl: setup.baseUrl, productId: setup.productId, accessKey: setup.accessKey }),
        devId: setup.devId,
        type: ModuleType.Sota,
        manuf: setup.manuf,
        model: setup.model,
        version: setup.version,
        install: async () => {},
      }).run();
      // The device's own polling period.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const result = await runConformance({ device, cases: ['RPT-003', 'RNG-003'], idleMs: 600, caseTimeoutMs: 20_000 });
  stop = true;
  await polling;
  expect(result.cases.find((c) => c.id === 'RPT-003')?.verdict).toBe('pass');
  expect(result.cases.find((c) => c.id === 'RNG-003')?.verdict).toBe('skip');
  expect(printed).toContain('Configure the device under test once');
}, 30_000);
