import type { Platform } from '@onenet-ota/mock-server';

/** What a device under test is told for one case: where the platform is and who it is. */
export interface DeviceSetup {
  baseUrl: string;
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
  /** A fresh directory for this case; kept across a restart within the case. */
  stateDir: string;
  power?: number;
  signal?: number;
  /** The image the device runs now, for restoring a differential package (`{firmware}`, `OTA_FIRMWARE`). */
  firmware?: string;
  /** The platform itself, for devices that run in this process. */
  platform: Platform;
}

/** How a device process (or in-process device) ended. */
export interface DeviceExit {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** One running device. */
export interface DeviceSession {
  /** Settles when the device stops by itself. */
  done: Promise<DeviceExit>;
  /** Cuts the power: stops the device at once, mid-request if need be. */
  kill(): Promise<void>;
}

/** A way to run the device under test for each case. */
export interface DeviceDriver {
  /** What the reports call the device. */
  describe: string;
  /** Whether the suite can cut its power and start it again (rules that need `restart`). */
  restartable: boolean;
  /** Whether the device runs by itself and only the platform shows when it is done (real hardware). */
  waits?: boolean;
  /** Starts the device for a case (and again after a power cut, with the same state directory). */
  start(setup: DeviceSetup): DeviceSession;
}
