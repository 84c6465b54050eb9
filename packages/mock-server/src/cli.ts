import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import { DiffFormat } from '@onenet-ota/openapi/protocol';
import { productResource, signToken } from '@onenet-ota/sdk';
import { builtinFormats } from './core/domain/builtin-diffs.ts';
import type { ClockMode } from './core/domain/clock.ts';
import { demo } from './core/domain/seed.ts';
import type { CorsPolicy } from './core/http/cors.ts';
import type { RangeDialect } from './core/http/range.ts';
import type { Platform } from './core/machinery.ts';
import { accountIn, openDataDir } from './data-dir.ts';
import { LogWriter } from './log-writer.ts';
import { startMqttBroker } from './mqtt/broker.ts';
import { commandDiffs, startServer, workerDiffs } from './node.ts';
import { logRequests } from './paced-log.ts';
import { createPlatform } from './platform.ts';
import { startPrism } from './prism.ts';
import { startSntpServer } from './sntp.ts';
import {
  defaultAuthorityDir,
  issueServerCertificate,
  loadOrCreateAuthority,
  type ServerCredentials,
} from './tls/authority.ts';

const usage = `Usage: ota-mock [options]

A stateful mock OneNET OTA platform for devices on the bench and tests in CI.

  --host <addr>            listen address (default 127.0.0.1; 0.0.0.0 for a device on the LAN)
  --port <n>               port (default 8787; 0 picks a free one)
  --seed demo|none         start with the demo product, device, package and task (default demo)
  --clock real|virtual     platform time: the machine's, or standing still until moved (default real)
  --range-dialect onenet|rfc9110   how Range is read (default onenet, OneNET's rules)
  --token-rules strict|lenient     the new platform's tokens: strict (default) refuses what the field is known to
                           refuse (product-level, et over 10 years ahead); lenient takes it, journaled as tolerated
  --validate               answer 500 instead of any JSON that breaks the spec
  --journal-limit <n>      journal entries kept, newest first (default 100000; also at most 64 MiB)
  --max-package-size <n>   largest package or patch upload, bytes (default 67108864)
  --max-storage <n>        all stored packages and patches together, bytes (default 1073741824)
  --body-timeout <s>       seconds a request body may go silent before a 408 that says how many bytes came of how
                           many its Content-Length announced (default 30; OneNET's nginx waits 60)
  --diff-cmd '<tool> {old} {new} {out}'
                           make differential packages online with this command instead of the built-in VCDIFF
                           encoder (bsdiff, HDiffPatch, a vendor tool); stopped past 60 s or 10× the image
  --diff-format <f>        what --diff-cmd writes: vcdiff, vcdiff-lzma, bsdiff40 or unknown (default unknown);
                           without --diff-cmd, the built-in encoder's default: vcdiff (any VCDIFF decoder) or
                           vcdiff-lzma (xdelta3's LZMA secondary compression: about half the bytes)
  --upstream <url>         the recording proxy: forward every device call (/ota/…, /fuse-ota/…) to this OneNET
                           origin (http://ota.heclouds.com, https://iot-api.heclouds.com) and journal each
                           exchange as answered; judge it later with ota-conformance judge (save GET /__mock/journal)
  --redact                 with --upstream, drop the sign of Authorization from the recording (kept by default)
  --keep-alive <s>         seconds an idle keep-alive connection is kept (default 75, nginx's keepalive_timeout)
  --header-timeout <s>     seconds a connection has to send a request line and headers before a 408 (default 10)
  --max-connections <n>    connections served at once (default 1024); past it, the oldest idle one of the peer
                           holding the most is closed, and when none is idle the newcomer gets a 503. Devices
                           keep theirs open: a fleet of N needs more than N
  --admin-token <t>        require 'Authorization: Bearer <t>' on the management API and /__mock. Listening
                           beyond loopback (--host 0.0.0.0), one is required: given here, or generated and
                           printed at start. Anyone who can reach an open platform can read every access key,
                           download firmware, delete tasks and wreck a test through /__mock; devices never need
                           this token (they sign their own, as on OneNET)
  --cors <origins>         web pages that may call the platform from a browser: off, *, or a comma-separated
                           list of origins (default: pages served from this machine when listening on loopback,
                           none beyond it). Pages of other origins cannot change it
  --allowed-host <names>   Host names the management API, /__mock and the console answer to, comma-separated,
                           besides IP addresses, localhost and --host (.example.com: the domain and below); a
                           page that rebinds its own domain to this machine gets 403. Devices may send any Host
  --data-dir <dir>         keep the platform on disk (SQLite in WAL mode, package bytes as files) and continue
                           from it after a restart or a crash: products, devices, packages, tasks, per-device
                           status, upgrade tokens, the virtual clock, faults, snapshots and the journal.
                           --seed applies only to a new directory
  --log text|json          one line per request as it completes: text for people (coloured on a terminal),
                           json for machines (a journal entry per line) (default text)
  --quiet                  no request log
  --tls                    also serve HTTPS (on --tls-port), as OneNET's C SDK talks by default. The certificate
                           is issued for this session by a CA of this machine, created once and reused (in
                           --tls-ca-dir); its ca.pem is what the device must trust. Its names: localhost,
                           127.0.0.1, --host, --tls-name and OneNET's own hosts (ota/studio-ota/iot-api.heclouds.com)
  --tls-port <n>           HTTPS port (default 8443; 0 picks a free one)
  --tls-name <names>       more names for the certificate, comma-separated (this machine's LAN address or name)
  --tls-ca-dir <dir>       where the CA is kept (default $OTA_MOCK_CAROOT, else ~/.config/ota-mock/ca)
  --tls-cert <file>        serve this certificate (PEM, with its chain) instead; needs --tls-key; implies --tls
  --tls-key <file>         its private key (PEM)
  --mqtt-port <n>          also run the new platform's MQTT door on this port (1883 on OneNET; 0 picks one):
                           devices connect with client id = device name, username = product id, password =
                           a 2018-10-31 token; when a task starts, each subscribed device gets
                           $sys/{pid}/{name}/ota/inform and has 20 s to answer on .../ota/inform_reply
  --mqtts-port <n>         with --tls and --mqtt-port, MQTT over TLS too, same certificate (default 8883)
  --ntp-port <n>           also answer SNTP (RFC 4330, UDP) with platform time, so a board that sets its clock
                           by NTP follows the virtual clock's jumps (123 on a LAN; 0 picks one)
  --prism                  serve Prism's stateless mock of the spec instead (no state, no Range)
  -h, --help               this text
`;

/** Runs `ota-mock`; resolves once the server listens, with a function that stops it. */
export async function runCli(
  argv: string[],
  out: (text: string) => void,
): Promise<{ url?: string; tlsUrl?: string; mqttUrl?: string; ntpPort?: number; stop(): Promise<void> }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8787' },
      seed: { type: 'string', default: 'demo' },
      clock: { type: 'string', default: 'real' },
      'range-dialect': { type: 'string', default: 'onenet' },
      'token-rules': { type: 'string', default: 'strict' },
      validate: { type: 'boolean', default: false },
      'journal-limit': { type: 'string', default: '100000' },
      'max-package-size': { type: 'string', default: String(64 * 1024 * 1024) },
      'max-storage': { type: 'string', default: String(1024 * 1024 * 1024) },
      'max-connections': { type: 'string', default: '1024' },
      'body-timeout': { type: 'string', default: '30' },
      'keep-alive': { type: 'string', default: '75' },
      upstream: { type: 'string' },
      'diff-cmd': { type: 'string' },
      'diff-format': { type: 'string' },
      redact: { type: 'boolean', default: false },
      'header-timeout': { type: 'string', default: '10' },
      'allowed-host': { type: 'string' },
      'admin-token': { type: 'string' },
      'data-dir': { type: 'string' },
      cors: { type: 'string' },
      log: { type: 'string', default: 'text' },
      quiet: { type: 'boolean', default: false },
      'mqtt-port': { type: 'string' },
      'mqtts-port': { type: 'string', default: '8883' },
      'ntp-port': { type: 'string' },
      tls: { type: 'boolean', default: false },
      'tls-port': { type: 'string', default: '8443' },
      'tls-name': { type: 'string' },
      'tls-ca-dir': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      prism: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(usage);
    return { stop: async () => {} };
  }
  const seed = oneOf(values.seed, ['demo', 'none'] as const, '--seed');
  const clock = oneOf(values.clock, ['real', 'virtual'] as const, '--clock') as ClockMode;
  const rangeDialect = oneOf(
    values['range-dialect'],
    ['onenet', 'rfc9110'] as const,
    '--range-dialect',
  ) as RangeDialect;
  const tokenRules = oneOf(values['token-rules'], ['strict', 'lenient'] as const, '--token-rules');
  const diffCommand = values['diff-cmd'];
  if (diffCommand !== undefined && !['{old}', '{new}', '{out}'].every((p) => diffCommand.includes(p)))
    throw new UsageError(`--diff-cmd needs {old}, {new} and {out}, got ${diffCommand}`);
  // Without a command, the built-in generator's formats; with one, any the spec names.
  const diffFormat = oneOf(
    values['diff-format'] ?? (diffCommand ? 'unknown' : 'vcdiff'),
    diffCommand ? Object.values(DiffFormat) : builtinFormats,
    diffCommand ? '--diff-format' : '--diff-format (without --diff-cmd)',
  );
  const port = portOf(values.port, '--port');
  if (values.prism) {
    const prism = await startPrism({ host: values.host, port, log: out });
    return { url: prism.url, stop: prism.stop };
  }

  const positive = (
    flag:
      | 'journal-limit'
      | 'max-package-size'
      | 'max-storage'
      | 'max-connections'
      | 'body-timeout'
      | 'keep-alive'
      | 'header-timeout',
  ) => {
    const value = Number(values[flag]);
    if (!Number.isSafeInteger(value) || value < 1)
      throw new UsageError(`--${flag} must be a positive integer, got ${values[flag]}`);
    return value;
  };
  const journalLimit = positive('journal-limit');
  const loopbackOnly = isLoopback(values.host);
  const given = values['admin-token'];
  if (given !== undefined && !/^[\x21-\x7e]{16,}$/.test(given))
    throw new UsageError('--admin-token must be at least 16 printable characters without spaces');
  const adminToken = given ?? (loopbackOnly ? undefined : randomToken());
  const dataDir = values['data-dir'];
  if (dataDir === '') throw new UsageError('--data-dir needs a directory');
  const cors = corsPolicy(values.cors, loopbackOnly);
  const log = oneOf(values.log, ['text', 'json'] as const, '--log');
  const mqttPort = values['mqtt-port'] === undefined ? undefined : portOf(values['mqtt-port'], '--mqtt-port');
  const ntpPort = values['ntp-port'] === undefined ? undefined : portOf(values['ntp-port'], '--ntp-port');
  const tls = await tlsSetup(values);
  const store = dataDir === undefined ? undefined : openDataDir(dataDir);
  const account = dataDir === undefined ? undefined : accountIn(dataDir);
  const platform = createPlatform({
    ...(adminToken === undefined ? {} : { adminToken }),
    ...(store ? { store } : {}),
    ...(account ? { account } : {}),
    cors,
    seed,
    demoKeys: loopbackOnly ? 'published' : 'generated',
    clock,
    rangeDialect,
    tokenRules,
    journalLimit,
    validateResponses: values.validate ? 'error' : 'off',
    generateDiff: diffCommand ? commandDiffs({ command: diffCommand }) : workerDiffs(),
    diffFormat,
    maxUploadBytes: positive('max-package-size'),
    maxStorageBytes: positive('max-storage'),
  });
  const upstreamUrl = values.upstream === undefined ? undefined : URL.parse(values.upstream);
  if (values.upstream !== undefined && !/^https?:$/.test(upstreamUrl?.protocol ?? ''))
    throw new UsageError(`--upstream must be an http or https URL, got ${values.upstream}`);
  if (values.redact && !upstreamUrl) throw new UsageError('--redact goes with --upstream');
  const door = {
    ...(upstreamUrl ? { upstream: { url: upstreamUrl, redact: values.redact } } : {}),
    host: values.host,
    platform,
    maxConnections: positive('max-connections'),
    bodyTimeoutMs: positive('body-timeout') * 1000,
    keepAliveMs: positive('keep-alive') * 1000,
    headersTimeoutMs: positive('header-timeout') * 1000,
    allowedHosts: [...names(values['allowed-host']), ...names(values['tls-name'])],
  };
  const server = await startServer({ ...door, port });
  const secure = tls
    ? await startServer({ ...door, port: tls.port, tls: tls.credentials }).catch(async (error: unknown) => {
        await server.close();
        throw error;
      })
    : undefined;
  const mqtt =
    mqttPort === undefined
      ? undefined
      : await startMqttBroker({
          platform,
          host: values.host,
          port: mqttPort,
          ...(tls ? { tls: { ...tls.credentials, port: portOf(values['mqtts-port'], '--mqtts-port') } } : {}),
        }).catch(async (error: unknown) => {
          await secure?.close();
          await server.close();
          throw error;
        });
  const sntp =
    ntpPort === undefined
      ? undefined
      : await startSntpServer({ clock: platform.clock, host: values.host, port: ntpPort }).catch(
          async (error: unknown) => {
            await mqtt?.close();
            await secure?.close();
            await server.close();
            throw new UsageError(`--ntp-port ${ntpPort}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
          },
        );
  const shown = values.host === '0.0.0.0' ? server.url.replace('0.0.0.0', '<this-machine>') : server.url;
  out(
    `ota-mock listening on ${server.url} (clock ${clock}, Range ${rangeDialect}${values.validate ? ', validating answers' : ''})\n`,
  );
  if (secure && tls) out(`HTTPS:       ${secure.url} · ${tls.describe}\n`);
  if (upstreamUrl)
    out(
      `Recording:   device calls go to ${upstreamUrl.origin} and are journaled as answered${values.redact ? ' (signatures redacted)' : ' (Authorization kept as sent; --redact drops the sign)'}; save ${shown}/__mock/journal and judge it with ota-conformance judge\n`,
    );
  if (mqtt)
    out(
      `MQTT:        ${mqtt.url}${mqtt.tlsUrl ? ` and ${mqtt.tlsUrl}` : ''} · OTA inform on $sys/{pid}/{device-name}/ota/inform\n`,
    );
  if (sntp) out(`SNTP:        udp://${sntp.host}:${sntp.port} · platform time, for a board's NTP client\n`);
  if (dataDir !== undefined) out(`${describeData(dataDir, platform)}\n`);
  const demoProduct = platform.state.products.get(demo.productId);
  const demoDevice = platform.state.devices.get(demo.devId);
  if (demoProduct && demoDevice)
    out(
      await demoText(shown, Math.floor(platform.clock.now() / 1000), platform.settings.account, {
        product: demoProduct.accessKey,
        device: demoDevice.accessKey,
      }),
    );
  const consoleUrl = `${shown}/__mock/ui${adminToken === undefined ? '' : `?access_token=${encodeURIComponent(adminToken)}`}`;
  out(`Console:     ${consoleUrl} (live devices, tasks, journal; controls)\n`);
  out(
    `Control API: ${shown}/__mock/clock, /__mock/faults, /__mock/journal, /__mock/events, /__mock/reset · Ctrl-C stops.\n`,
  );
  if (adminToken !== undefined)
    out(
      `Admin token (management API and /__mock): ${adminToken}${given === undefined ? ' (generated: this platform listens beyond loopback)' : ''}\n  curl -H 'Authorization: Bearer ${adminToken}' ${shown}/api/v1/products\n`,
    );
  const lines = new LogWriter(out);
  let stopLog = () => {};
  if (!values.quiet) {
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    if (log === 'json') platform.journal.onComplete((entry) => lines.line(`${JSON.stringify(entry)}\n`));
    else stopLog = logRequests(platform.journal, (line) => lines.line(line), { color });
  }
  return {
    url: server.url,
    ...(secure ? { tlsUrl: secure.url } : {}),
    ...(mqtt ? { mqttUrl: mqtt.url } : {}),
    ...(sntp ? { ntpPort: sntp.port } : {}),
    stop: async () => {
      stopLog();
      lines.flush();
      await sntp?.close();
      await mqtt?.close();
      await secure?.close();
      await server.close();
      store?.close();
    },
  };
}

interface TlsFlags {
  host: string;
  tls: boolean;
  'tls-port': string;
  'tls-name'?: string | undefined;
  'tls-ca-dir'?: string | undefined;
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
}

/** The HTTPS listener's port and credentials from the flags, or undefined when HTTPS was not asked for. */
async function tlsSetup(
  values: TlsFlags,
): Promise<{ port: number; credentials: ServerCredentials; describe: string } | undefined> {
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if (!values.tls && certFile === undefined && keyFile === undefined) return undefined;
  const port = portOf(values['tls-port'], '--tls-port');
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  if (certFile !== undefined && keyFile !== undefined) {
    const read = (file: string, flag: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(`${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    };
    const credentials = { cert: read(certFile, '--tls-cert'), key: read(keyFile, '--tls-key') };
    try {
      createSecureContext(credentials);
    } catch (error) {
      throw new UsageError(`--tls-cert/--tls-key: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { port, credentials, describe: `certificate ${certFile}` };
  }
  const dir = values['tls-ca-dir'] ?? defaultAuthorityDir();
  const authority = await loadOrCreateAuthority(dir).catch((error: unknown) => {
    throw new UsageError(`--tls-ca-dir ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  });
  const credentials = await issueServerCertificate(
    authority,
    [values.host, ...names(values['tls-name'])].filter((name) => name !== '0.0.0.0' && name !== '::'),
  );
  return {
    port,
    credentials,
    describe: `the device must trust ${authority.certificateFile}${authority.created ? ' (new CA: flash it into the device)' : ''}`,
  };
}

function describeData(dir: string, platform: Platform): string {
  if (!platform.restored) return `Data: ${dir} (new)`;
  const { products, devices, packages, tasks } = platform.state;
  const time =
    platform.clock.mode === 'virtual' ? `, virtual clock at ${new Date(platform.clock.now()).toISOString()}` : '';
  return `Data: ${dir} (continued: ${products.size} products, ${devices.size} devices, ${packages.size} packages, ${tasks.size} tasks${time})`;
}

/** A comma-separated list of names, trimmed, without empty ones. */
function names(flag: string | undefined): string[] {
  return (flag ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

function corsPolicy(flag: string | undefined, loopbackOnly: boolean): CorsPolicy {
  if (flag === undefined) return loopbackOnly ? 'loopback' : 'off';
  if (flag === 'off' || flag === '*') return flag;
  const origins = flag.split(',').map((origin) => origin.trim());
  const bad = origins.find((origin) => !/^https?:\/\/[^/\s]+$/.test(origin));
  if (bad !== undefined)
    throw new UsageError(`--cors takes off, * or origins like http://localhost:5173, got ${JSON.stringify(bad)}`);
  return origins;
}

/** Whether only this machine can reach an address. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** 24 random bytes, base64url: an admin token nobody guesses. */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replaceAll('=', '');
}

export { DataDirError } from './data-dir.ts';

/** Thrown for bad flags; the bin prints its message and the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The demo's credentials and a curl line; `keys` are the ones it holds (published, or generated beyond loopback). */
async function demoText(
  url: string,
  nowSeconds: number,
  account: { uid: number; accessKey: string },
  keys: { product: string; device: string },
): Promise<string> {
  const et = nowSeconds + 7 * 86_400;
  const authorization = await signToken({ accessKey: keys.product, res: productResource(demo.productId), et });
  const query = `dev_id=${demo.devId}&manuf=${demo.manuf}&model=${demo.model}&type=2&version=${demo.fromVersion}`;
  return `
Demo seed, ready for a device:
  product     ${demo.productId}   access key ${keys.product}
  device      dev_id ${demo.devId}   name ${demo.deviceName}   device key ${keys.device}
  account     uid ${account.uid}   key ${account.accessKey}   (fuse user-level tokens, res=userid/${account.uid})
              SOTA (type 2) on ${demo.fromVersion}, manuf ${demo.manuf}, model ${demo.model}
  package     ${demo.targetVersion}, ${demo.packageSize} bytes
  task        tsk_1, running, retry 3 × 5 s

Try it (the token below is valid 7 days):
  curl -H 'Authorization: ${authorization}' \\
    '${url}/ota/south/check?${query}'

`;
}

function portOf(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`${flag} must be 0-65535, got ${value}`);
  return port;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be ${allowed.join(' or ')}, got ${value}`);
  return value as T;
}
