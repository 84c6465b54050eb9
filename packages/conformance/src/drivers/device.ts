import type { Platform } from '@onenet-ota/mock-server';
import type { Generation } from '@onenet-ota/openapi/protocol';
import type { Capability, DeviceExit } from '../types.ts';
import type { DeviceClock } from './device-clock.ts';

/** What a device under test is told for one case: where the platform is and who it is. */
export interface DeviceSetup {
  baseUrl: string;
  /** The OTA generation the device is judged in (`--generation`); Studio and the new platform sign device-level. */
  generation: Generation;
  productId: string;
  /** The product's access key (product-level tokens). */
  accessKey: string;
  devId: number;
  deviceName: string;
  /** The device's own key (device-level tokens). */
  deviceKey: string;
  version: string;
  manuf: string;
  model: string;
  type: 1 | 2;
  /** The fragment size the suite assumes (`--fragment-size`); a device may ignore it. */
  fragmentSize: number;
  /** A fresh directory for this case; kept across a restart within the case. */
  stateDir: string;
  power?: number;
  signal?: number;
  /** The image the device runs now (`{firmware}`, `OTA_FIRMWARE`): the base of a differential package. */
  firmware: string;
  /** Where the device writes the image it installs (`{output}`, `OTA_OUTPUT`), so the suite can check it. */
  output: string;
  /**
   * A libfaketime timestamp file holding the platform's offset from this machine's clock, rewritten whenever the
   * suite moves the platform's clock: a device process run on it (`commandDevice`) keeps platform time.
   */
  clockFile: string;
  /** The MQTT door of the case (`mqtt://127.0.0.1:port`), when its scenario runs one. */
  mqttUrl?: string;
  /** The platform itself, for devices that run in this process. */
  platform: Platform;
}

/** One running device. */
export interface DeviceSession {
  /** Settles when the device stops by itself. */
  done: Promise<DeviceExit>;
  /** Cuts the power: stops the device at once, mid-request if need be, and everything it started. */
  kill(): Promise<void>;
}

/** A way to run the device under test for each case. */
export interface DeviceDriver {
  /** What the reports call the device. */
  describe: string;
  /** Capabilities this way of running a device cannot offer (`--wait`: no restart, no image). */
  lacks: readonly Capability[];
  /** Whether the device's clock follows the platform's, and how: AUTH-002's findings and the reports say it. */
  clock: DeviceClock;
  /** Whether the device runs by itself and only the platform shows when it is done (real hardware). */
  waits?: boolean;
  /** Starts the device for a case (and again after a power cut, with the same state directory). */
  start(setup: DeviceSetup): DeviceSession;
}
