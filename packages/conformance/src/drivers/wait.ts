import type { DeviceDriver } from './device.ts';

/**
 * For a device that polls by itself (real hardware): prints what to configure once, then waits for it in each
 * case. The suite ends a case when the device's task ends, or when the device has been quiet for the idle time.
 * Power cuts cannot be made and the installed image cannot be seen, so rules that need either are skipped.
 */
export function waitDevice(print: (text: string) => void): DeviceDriver {
  let told = false;
  return {
    describe: 'a device that polls by itself (--wait)',
    lacks: ['restart', 'image'],
    clock: {
      follows: false,
      how: "a board keeps its own clock: point its NTP client at the run's --ntp-port to give it platform time",
    },
    waits: true,
    start(setup) {
      if (!told) {
        told = true;
        print(
          [
            'Configure the device under test once, then let it poll:',
            `  platform   ${setup.baseUrl}   (or send Host: ota.heclouds.com to that address)`,
            `  product    ${setup.productId}   access key ${setup.accessKey}`,
            `  device     dev_id ${setup.devId}   name ${setup.deviceName}   device key ${setup.deviceKey}`,
            `  module     type ${setup.type}, manuf ${setup.manuf}, model ${setup.model}, current version ${setup.version}`,
            ...(setup.mqttUrl
              ? [`  mqtt       ${setup.mqttUrl}   (client id = device name, username = product id; ota/inform)`]
              : []),
            'Each case resets the platform to these same credentials; the device needs no change between cases.',
            '',
          ].join('\n'),
        );
      }
      return { done: new Promise(() => {}), kill: async () => {} };
    },
  };
}
