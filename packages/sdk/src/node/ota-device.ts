import { X509Certificate } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// A namespace: a named import of what an older Node lacks stops the module from loading at all.
import * as tls from 'node:tls';
import { parseArgs } from 'node:util';
import { type Generation, Generation as GenerationEnum } from '@onenet-ota/openapi/protocol';
import type { UpgradeResult } from '../agent/options.ts';
import { OtaAgent } from '../agent/ota-agent.ts';
import { MemoryStore } from '../agent/store.ts';
import { vcdiffRestore } from '../agent/vcdiff-restore.ts';
import { commandRestore } from './command-restore.ts';
import { fileSource } from './file-source.ts';
import { FileStore } from './file-store.ts';
import { runInformed } from './run-informed.ts';

/**
 * The `--help` text of `ota-device`.
 *
 * @example
 * process.stdout.write(otaDeviceUsage);
 */
export const usage = `Usage: ota-device [options]

The SDK's reference OneNET OTA device as a process: one upgrade, then a one-line JSON summary on stdout.
Exit status 0 when it upgraded or there was nothing to do. Every option can also be set by the environment
variable in brackets.

  --generation <g>        legacy (/ota/south), studio (/ota/{pid}/{name}) or fuse (/fuse-ota) [OTA_GENERATION]
                          (default legacy; studio and fuse need --device-name)
  --base-url <url>        platform URL [OTA_BASE_URL] (default http://ota.heclouds.com, studio-ota.heclouds.com
                          for studio, iot-api.heclouds.com for fuse)
  --product-id <pid>      product id [OTA_PRODUCT_ID]
  --dev-id <n>            device id, legacy only [OTA_DEV_ID]
  --access-key <key>      product access key, or the device key with --device-name [OTA_ACCESS_KEY]
  --device-name <name>    sign device-level tokens (res=products/{pid}/devices/{name}) [OTA_DEVICE_NAME]
  --user-id <uid>         fuse: sign user-level tokens (res=userid/{uid}) with the account key as --access-key
                          [OTA_USER_ID]
  --version <v>           current version [OTA_VERSION]
  --type <1|2>            1 FOTA (module firmware), 2 SOTA (MCU application) [OTA_TYPE] (default 2)
  --manuf <code>          three-digit manufacturer code, legacy only [OTA_MANUF]
  --model <code>          five-digit model code, legacy only [OTA_MODEL]
  --ca <file>             also trust this CA (PEM), e.g. the ca.pem of \`ota-mock --tls\` [OTA_CA_FILE]
  --mqtt-url <url>        new platform: connect to its MQTT door (client id = device name, username = product
                          id), check once, then wait for ota/inform, answer it and check again [OTA_MQTT_URL]
  --inform-timeout-ms <n> how long to wait for ota/inform after a check found nothing [OTA_INFORM_TIMEOUT_MS]
                          (default 60000)
  --fragment-size <n>     bytes per Range request, at least 2 [OTA_FRAGMENT_SIZE] (default 4096)
  --state-dir <dir>       persist the download here to survive a restart [OTA_STATE_DIR] (default: memory)
  --signal <n>            this device's signal strength [OTA_SIGNAL]
  --power <n>             this device's battery percentage [OTA_POWER]
  --output <file>         where the installed image is written [OTA_OUTPUT] (default: discarded)
  --firmware <file>       the image running now, to restore a differential (VCDIFF) package from [OTA_FIRMWARE]
  --restore-cmd '<tool> {old} {new} {patch}'
                          restore differential packages with this command instead of VCDIFF (bspatch for a
                          platform making them with bsdiff); {old} is --firmware [OTA_RESTORE_CMD]
  --deadline <time>       the task deadline (RFC 3339); past it the device reports 208 [OTA_DEADLINE]
  --idle-timeout-ms <n>   abandon a fragment after this long without data [OTA_IDLE_TIMEOUT_MS] (default 30000)
  --verbose               log each step on stderr [OTA_VERBOSE=1]
  -h, --help              this text
`;

const flags = {
  generation: 'OTA_GENERATION',
  'base-url': 'OTA_BASE_URL',
  'product-id': 'OTA_PRODUCT_ID',
  'dev-id': 'OTA_DEV_ID',
  'access-key': 'OTA_ACCESS_KEY',
  'device-name': 'OTA_DEVICE_NAME',
  'user-id': 'OTA_USER_ID',
  version: 'OTA_VERSION',
  type: 'OTA_TYPE',
  manuf: 'OTA_MANUF',
  model: 'OTA_MODEL',
  ca: 'OTA_CA_FILE',
  'mqtt-url': 'OTA_MQTT_URL',
  'inform-timeout-ms': 'OTA_INFORM_TIMEOUT_MS',
  'fragment-size': 'OTA_FRAGMENT_SIZE',
  'state-dir': 'OTA_STATE_DIR',
  signal: 'OTA_SIGNAL',
  power: 'OTA_POWER',
  output: 'OTA_OUTPUT',
  firmware: 'OTA_FIRMWARE',
  'restore-cmd': 'OTA_RESTORE_CMD',
  deadline: 'OTA_DEADLINE',
  'idle-timeout-ms': 'OTA_IDLE_TIMEOUT_MS',
} as const;

/** Where each generation's devices go without --base-url (protocol §2.0, §3, §4.0). */
const defaultBaseUrl: Record<Generation, string> = {
  legacy: 'http://ota.heclouds.com',
  studio: 'http://studio-ota.heclouds.com',
  fuse: 'http://iot-api.heclouds.com',
};

function isGeneration(text: string): text is Generation {
  return (Object.values(GenerationEnum) as string[]).includes(text);
}

/**
 * Adds the CA in `file` to the ones this process trusts, beside the system's. Process-wide on purpose: this process
 * is one device, and its fetch (undici) takes no per-call CA.
 */
function trustCa(file: string): void {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
    new X509Certificate(pem);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DeviceUsageError(
      `--ca ${file}: ${reason === 'ERR_OSSL_PEM_NO_START_LINE' ? 'not a PEM certificate' : reason}`,
    );
  }
  if (typeof tls.setDefaultCACertificates !== 'function' || typeof tls.getCACertificates !== 'function')
    throw new DeviceUsageError(
      `--ca needs a Node with tls.setDefaultCACertificates (22.19 or later), this is ${process.version}: start ota-device with NODE_EXTRA_CA_CERTS=${file} instead`,
    );
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), pem]);
}

/**
 * A bad command line; the bin prints the message and exits 2.
 *
 * @example
 * try { await runOtaDevice(['--type', '3'], {}, log); } catch (e) { if (e instanceof DeviceUsageError) process.exitCode = 2; }
 */
export class DeviceUsageError extends Error {
  override name = 'DeviceUsageError';
}

/**
 * Runs `ota-device` with these arguments and environment; returns the summary and the exit status.
 *
 * @example
 * const { result, exitCode } = await runOtaDevice(['--version', 'V1.0'], process.env, console.error);
 */
export async function runOtaDevice(
  argv: string[],
  env: Record<string, string | undefined>,
  log: (line: string) => void,
): Promise<{ result?: UpgradeResult; exitCode: number; help?: string }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(flags).map((name) => [name, { type: 'string' as const }])),
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { exitCode: 0, help: usage };
  const value = (name: keyof typeof flags) =>
    ((values as Record<string, unknown>)[name] as string | undefined) ?? env[flags[name]];
  const required = (name: keyof typeof flags) => {
    const found = value(name);
    if (!found) throw new DeviceUsageError(`--${name} (or ${flags[name]}) is required`);
    return found;
  };
  const number = (name: keyof typeof flags) => {
    const found = value(name);
    if (found === undefined) return undefined;
    const parsed = Number(found);
    if (!Number.isFinite(parsed)) throw new DeviceUsageError(`--${name} must be a number, got ${found}`);
    return parsed;
  };
  const type = value('type') ?? '2';
  if (!['1', '2', 'fota', 'sota'].includes(type))
    throw new DeviceUsageError(`--type must be 1 (FOTA) or 2 (SOTA), got ${type}`);
  const deadlineText = value('deadline');
  const deadline = deadlineText === undefined ? undefined : Date.parse(deadlineText);
  if (Number.isNaN(deadline)) throw new DeviceUsageError(`--deadline must be an RFC 3339 time, got ${deadlineText}`);
  const stateDir = value('state-dir');
  const output = value('output');
  const firmware = value('firmware');
  const restoreCommand = value('restore-cmd');
  if (restoreCommand && !firmware) throw new DeviceUsageError('--restore-cmd restores from --firmware: give both');
  const signal = number('signal');
  const power = number('power');
  const deviceName = value('device-name');
  const verbose = values.verbose || env.OTA_VERBOSE === '1';
  const generation = value('generation') ?? 'legacy';
  if (!isGeneration(generation))
    throw new DeviceUsageError(`--generation must be legacy, studio or fuse, got ${generation}`);
  const legacy = generation === 'legacy';
  if (!legacy && !deviceName)
    throw new DeviceUsageError(
      `--generation ${generation} names the device: --device-name (or OTA_DEVICE_NAME) is required`,
    );

  const userId = number('user-id');
  if (userId !== undefined && (generation !== 'fuse' || !Number.isSafeInteger(userId) || userId < 1))
    throw new DeviceUsageError(
      '--user-id takes a OneNET user id (a positive integer), and only with --generation fuse',
    );
  const ca = value('ca');
  if (ca) trustCa(ca);
  const mqttUrl = value('mqtt-url');
  if (mqttUrl && generation !== 'fuse')
    throw new DeviceUsageError('--mqtt-url: only the new platform (--generation fuse) informs devices over MQTT');
  const informTimeoutMs = number('inform-timeout-ms') ?? 60_000;

  const agent = new OtaAgent({
    client: {
      generation,
      baseUrl: value('base-url') ?? defaultBaseUrl[generation],
      productId: required('product-id'),
      accessKey: required('access-key'),
      ...(deviceName ? { deviceName } : {}),
      ...(userId === undefined ? {} : { userId }),
    },
    ...(legacy ? { devId: Number(required('dev-id')), manuf: required('manuf'), model: required('model') } : {}),
    type: type === '1' || type === 'fota' ? 1 : 2,
    version: required('version'),
    store: stateDir ? new FileStore(stateDir) : new MemoryStore(),
    fragmentSize: number('fragment-size') ?? 4096,
    ...(signal === undefined ? {} : { signal: () => signal }),
    ...(power === undefined ? {} : { power: () => power }),
    ...(deadline === undefined ? {} : { deadline }),
    idleTimeoutMs: number('idle-timeout-ms') ?? 30_000,
    ...(firmware
      ? { restore: restoreCommand ? commandRestore(restoreCommand, firmware) : vcdiffRestore(fileSource(firmware)) }
      : {}),
    install: async (image) => {
      if (!output) {
        for await (const _ of image);
        return;
      }
      await mkdir(dirname(output), { recursive: true });
      await pipeline(image, createWriteStream(output) as Writable);
    },
    log: verbose ? log : () => {},
  });
  const result = mqttUrl
    ? await runInformed(agent, {
        url: mqttUrl,
        productId: required('product-id'),
        deviceName: deviceName ?? '',
        accessKey: required('access-key'),
        timeoutMs: informTimeoutMs,
        log: verbose ? log : () => {},
      })
    : await agent.run();
  if (result.outcome === 'error' && /CERT|UNABLE_TO_VERIFY|SELF_SIGNED/.test(result.detail ?? ''))
    log(
      "ota-device: the platform's TLS certificate is not trusted here; pass its CA with --ca (ota-mock --tls prints where its ca.pem is)",
    );
  return { result, exitCode: result.outcome === 'upgraded' || result.outcome === 'no-task' ? 0 : 1 };
}
