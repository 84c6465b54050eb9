import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DeviceDriver, DeviceExit, DeviceSetup } from './device.ts';

/**
 * Environment a device command gets: the names `ota-device` reads (product-level tokens). For device-level
 * tokens use the placeholders: `--device-name {deviceName} --access-key {deviceKey}`.
 */
export function deviceEnvironment(setup: DeviceSetup): Record<string, string> {
  return {
    OTA_BASE_URL: setup.baseUrl,
    OTA_PRODUCT_ID: setup.productId,
    OTA_ACCESS_KEY: setup.accessKey,
    OTA_DEV_ID: String(setup.devId),
    OTA_VERSION: setup.version,
    OTA_MANUF: setup.manuf,
    OTA_MODEL: setup.model,
    OTA_TYPE: String(setup.type),
    OTA_STATE_DIR: setup.stateDir,
    ...(setup.power === undefined ? {} : { OTA_POWER: String(setup.power) }),
    ...(setup.signal === undefined ? {} : { OTA_SIGNAL: String(setup.signal) }),
    ...(setup.firmware === undefined ? {} : { OTA_FIRMWARE: setup.firmware }),
  };
}

/** Replaces `{baseUrl}`, `{devId}`, … in a command line with this case's values. */
export function fillPlaceholders(command: string, setup: DeviceSetup): string {
  const values: Record<string, string> = {
    baseUrl: setup.baseUrl,
    productId: setup.productId,
    accessKey: setup.accessKey,
    devId: String(setup.devId),
    deviceName: setup.deviceName,
    deviceKey: setup.deviceKey,
    version: setup.version,
    manuf: setup.manuf,
    model: setup.model,
    type: String(setup.type),
    stateDir: setup.stateDir,
    power: setup.power === undefined ? '' : String(setup.power),
    signal: setup.signal === undefined ? '' : String(setup.signal),
    firmware: setup.firmware ?? '',
  };
  return command.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Runs a device as a process per case: a shell command with placeholders and `OTA_*` variables, or by default
 * the SDK's `ota-device`. Killing it is SIGKILL, a power cut.
 */
export function commandDevice(command?: string, extraEnv: Record<string, string> = {}): DeviceDriver {
  const otaDevice = join(
    dirname(createRequire(import.meta.url).resolve('@onenet-ota/sdk/package.json')),
    'bin/ota-device.ts',
  );
  return {
    describe: command ?? "ota-device (the SDK's reference device)",
    restartable: true,
    start(setup) {
      const env = { ...process.env, ...deviceEnvironment(setup), ...extraEnv };
      const child = command
        ? spawn(fillPlaceholders(command, setup), { shell: true, env, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(process.execPath, [otaDevice], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
      const done = new Promise<DeviceExit>((resolve) => {
        child.once('error', (error) => resolve({ exitCode: null, stdout, stderr: `${stderr}${error.message}` }));
        child.once('exit', (code) => resolve({ exitCode: code, stdout, stderr }));
      });
      return {
        done,
        async kill() {
          if (child.exitCode === null) child.kill('SIGKILL');
          await done;
        },
      };
    },
  };
}
