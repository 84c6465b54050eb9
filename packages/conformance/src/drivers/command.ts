import { type SpawnOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DeviceExit } from '../types.ts';
import type { DeviceDriver, DeviceSetup } from './device.ts';
import { faketimeEnvironment, findLibfaketime } from './device-clock.ts';
import { OutputTail } from './output-tail.ts';

/**
 * Environment a device command gets: the names `ota-device` reads (product-level tokens on the legacy API; the
 * device's name and key on Studio and the new platform, which name the device in the path). For device-level
 * legacy tokens use the placeholders: `--device-name {deviceName} --access-key {deviceKey}`.
 */
export function deviceEnvironment(setup: DeviceSetup): Record<string, string> {
  return {
    OTA_BASE_URL: setup.baseUrl,
    OTA_PRODUCT_ID: setup.productId,
    OTA_ACCESS_KEY: setup.generation === 'legacy' ? setup.accessKey : setup.deviceKey,
    OTA_GENERATION: setup.generation,
    ...(setup.generation === 'legacy' ? {} : { OTA_DEVICE_NAME: setup.deviceName }),
    OTA_DEV_ID: String(setup.devId),
    OTA_VERSION: setup.version,
    OTA_MANUF: setup.manuf,
    OTA_MODEL: setup.model,
    OTA_TYPE: String(setup.type),
    OTA_FRAGMENT_SIZE: String(setup.fragmentSize),
    OTA_STATE_DIR: setup.stateDir,
    OTA_FIRMWARE: setup.firmware,
    OTA_OUTPUT: setup.output,
    ...(setup.power === undefined ? {} : { OTA_POWER: String(setup.power) }),
    ...(setup.signal === undefined ? {} : { OTA_SIGNAL: String(setup.signal) }),
    ...(setup.mqttUrl === undefined ? {} : { OTA_MQTT_URL: setup.mqttUrl }),
    OTA_PLATFORM_TIME: platformSeconds(setup),
  };
}

/** The platform's time as the device starts, Unix seconds: for a harness that sets the device's clock itself. */
function platformSeconds(setup: DeviceSetup): string {
  return String(Math.floor(setup.platform.clock.now() / 1000));
}

/** Options of {@link commandDevice}. */
export interface CommandDeviceOptions {
  /** More variables for the process. */
  env?: Record<string, string>;
  /**
   * `platform` (default): run the process on the platform's clock through libfaketime when it is installed, so a
   * device that signs `et` from its clock signs in platform time across the suite's 48 h jumps. `own`: its clock.
   */
  clock?: 'platform' | 'own';
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
    fragmentSize: String(setup.fragmentSize),
    stateDir: setup.stateDir,
    power: setup.power === undefined ? '' : String(setup.power),
    signal: setup.signal === undefined ? '' : String(setup.signal),
    firmware: setup.firmware,
    output: setup.output,
    mqttUrl: setup.mqttUrl ?? '',
    platformTime: platformSeconds(setup),
  };
  return command.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Runs a device as a process per case: a shell command with placeholders and `OTA_*` variables, or by default
 * the SDK's `ota-device`. The process leads a process group of its own, and killing it (a power cut) sends
 * SIGKILL to the whole group: a wrapper script, `sh -c` and whatever they started die together, as a board does.
 */
export function commandDevice(command?: string, options: CommandDeviceOptions = {}): DeviceDriver {
  const extraEnv = options.env ?? {};
  const faketime = options.clock === 'own' ? undefined : findLibfaketime();
  // The SDK's package.json names its bin: TypeScript in the workspace, JavaScript once published.
  const sdkManifest = createRequire(import.meta.url).resolve('@onenet-ota/sdk/package.json');
  const { bin } = JSON.parse(readFileSync(sdkManifest, 'utf8')) as { bin: Record<string, string> };
  const otaDevice = join(dirname(sdkManifest), bin['ota-device'] ?? 'bin/ota-device.ts');
  return {
    describe: command ?? "ota-device (the SDK's reference device)",
    lacks: [],
    clock: faketime
      ? { follows: true, how: `its clock follows the platform's through libfaketime (${faketime})` }
      : {
          follows: false,
          how:
            options.clock === 'own'
              ? 'it keeps its own clock (--device-clock own)'
              : "it keeps its own clock: libfaketime is not installed (apt-get install faketime) to run it on the platform's",
        },
    start(setup) {
      // The reference device is TypeScript run by Node: with the compile cache its type-stripped modules, the entry
      // included, are reused from the first case on.
      const cache = command ? {} : { NODE_COMPILE_CACHE: join(tmpdir(), 'onenet-ota-compile-cache') };
      const clock = faketime ? faketimeEnvironment(faketime, setup.clockFile) : {};
      const env = { ...process.env, ...cache, ...clock, ...deviceEnvironment(setup), ...extraEnv };
      const options: SpawnOptions = { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true };
      const child = command
        ? spawn(fillPlaceholders(command, setup), { ...options, shell: true })
        : spawn(process.execPath, [otaDevice], options);
      const stdout = new OutputTail();
      const stderr = new OutputTail();
      child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk));
      child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));
      const exit = (exitCode: number | null, signal?: string, extra = ''): DeviceExit => ({
        exitCode,
        ...(signal ? { signal } : {}),
        stdout: stdout.text(),
        stderr: stderr.text() + extra,
        stdoutBytes: stdout.bytes,
        stderrBytes: stderr.bytes,
      });
      const killGroup = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is gone already.
        }
      };
      const done = new Promise<DeviceExit>((resolve) => {
        child.once('error', (error) => resolve(exit(null, undefined, error.message)));
        // What the command left running in its group goes with it; then the pipes close and the output is whole.
        child.once('exit', killGroup);
        child.once('close', (code, signal) => resolve(exit(code, signal ?? undefined)));
      });
      return {
        done,
        async kill() {
          killGroup();
          await done;
        },
      };
    },
  };
}
