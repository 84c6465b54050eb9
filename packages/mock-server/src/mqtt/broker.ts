/**
 * @module
 * The new platform's MQTT door for OTA (protocol §4.6): a real MQTT 3.1.1/5 broker (aedes) in the platform's
 * process, with OneNET's device authentication, that publishes `…/ota/inform` when a task starts for a device
 * and journals the device's `…/ota/inform_reply`.
 */
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { ExchangeName, type Generation, mqttOta } from '@onenet-ota/openapi/protocol';
import { informTopics, thingPostTopics, verifyToken } from '@onenet-ota/sdk';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { keyFor } from '../core/domain/device-auth.ts';
import { deviceNamed } from '../core/domain/device-named.ts';
import type { DeviceRecord, TaskRecord } from '../core/domain/records.ts';
import { redactAuthorization } from '../core/journal/call-record.ts';
import type { JournalEntry } from '../core/journal/journal.ts';
import type { Platform } from '../core/machinery.ts';
import { Informs } from './inform.ts';
import { answerThingPost } from './thing-posts.ts';
import { matchesFilter } from './topic-filter.ts';

/** Options of {@link startMqttBroker}. */
export interface MqttBrokerOptions {
  platform: Platform;
  /** `127.0.0.1` by default. */
  host?: string;
  /** 1883 by default; 0 picks a free port. */
  port?: number;
  /** How long a device has to reply to an inform: 20 s as OneNET says ("需在 20s 内回复"). */
  replyWithinMs?: number;
  /**
   * Also serve MQTT over TLS (OneNET's `mqtts` on 8883) with this certificate and key, on `port` (8883 by default;
   * 0 picks one): the same broker, so a device may use either.
   */
  tls?: { cert: string; key: string; port?: number };
}

/** A listening broker. */
export interface RunningBroker {
  /** `mqtt://host:port`. */
  url: string;
  /** `mqtts://host:port`, when serving TLS too. */
  tlsUrl?: string;
  /** Whether the device is connected with a subscription its `ota/inform` reaches (the topic, or a wildcard). */
  subscribed(productId: string, deviceName: string): boolean;
  /** Stops listening, disconnects every client and stops waiting for replies. */
  close(): Promise<void>;
}

// The generation whose devices use MQTT: a product that does not accept it refuses the connection.
const generation: Generation = 'fuse';

/**
 * Starts the broker. A device connects as on OneNET: client id = device name, username = product id, password =
 * a 2018-10-31 token for the product or the device. It may subscribe and publish only under
 * `$sys/{pid}/{device-name}/`, wildcards included. Each CONNECT is journaled (`mqttConnect`, status = the CONNACK
 * return code). What a device publishes goes to the platform, never to a subscriber (a device subscribed to
 * `…/thing/#` would otherwise read its own post as the reply); the platform answers thing-model posts on their
 * `/reply` topic (protocol §4.7) and takes inform replies.
 *
 * @example
 * const broker = await startMqttBroker({ platform, port: 0 });
 */
export async function startMqttBroker(options: MqttBrokerOptions): Promise<RunningBroker> {
  const { platform, host = '127.0.0.1', port = 1883 } = options;
  const informs = new Informs(platform.journal, () => platform.clock.now(), options.replyWithinMs);
  const devices = new WeakMap<Client, DeviceRecord>();
  // The filters each client was granted: an inform reaches a device through any of them, as the broker matches.
  const filters = new Map<Client, Set<string>>();
  // Only what the platform publishes is delivered: a device's own PUBLISH is an uplink, answered, not relayed.
  const fromPlatform = new WeakSet<object>();
  const toDevice = (topic: string, payload: Buffer) => {
    fromPlatform.add(payload);
    broker.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, () => {});
  };
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      void authenticate(platform, client.id, username, password?.toString('utf8')).then((verdict) => {
        journalConnect(platform, client.id, username, verdict);
        if (verdict.device) {
          devices.set(client, verdict.device);
          return done(null, true);
        }
        const error = new Error(verdict.reason) as AuthenticateError;
        error.returnCode = verdict.returnCode;
        done(error, false);
      });
    },
    authorizeSubscribe: (client, subscription, done) => {
      const device = devices.get(client);
      // A topic outside the device's own: a failed subscription (return code 0x80), as OneNET answers.
      if (!device || !subscription.topic.startsWith(prefix(device))) return done(null, null);
      done(null, subscription);
    },
    authorizePublish: (client, packet, done) => {
      const device = client ? devices.get(client) : undefined;
      if (!device || !packet.topic.startsWith(prefix(device))) return done(new Error('not this device’s topic'));
      const payload = packet.payload as Buffer;
      if (packet.topic === informTopics(device.productId, device.name).reply) informs.reply(device.devId, payload);
      const post = thingPostTopics(device.productId, device.name).find((topic) => topic.post === packet.topic);
      done(null);
      if (post) {
        const reply = answerThingPost(platform.journal, platform.clock.now(), device.devId, post.post, payload);
        // After the PUBACK the broker is sending now, as a reply follows the post on OneNET.
        setImmediate(() => toDevice(post.reply, Buffer.from(JSON.stringify(reply))));
      }
    },
    authorizeForward: (_client, packet) => (fromPlatform.has(packet.payload as object) ? packet : null),
  });
  broker.on('subscribe', (subs, client) => {
    const granted = filters.get(client) ?? new Set();
    // A refused subscription is reported with QoS 128.
    for (const sub of subs) if ((sub.qos as number) !== 128) granted.add(sub.topic);
    filters.set(client, granted);
  });
  broker.on('unsubscribe', (topics, client) => {
    for (const topic of topics) filters.get(client)?.delete(topic);
  });
  broker.on('clientDisconnect', (client) => filters.delete(client));
  /** The filter through which a message on `topic` reaches the device now, if one does. */
  const reaching = (productId: string, deviceName: string, topic: string): string | undefined => {
    for (const [client, granted] of filters) {
      const device = devices.get(client);
      if (device?.productId !== productId || device.name !== deviceName || client.closed) continue;
      for (const filter of granted) if (matchesFilter(filter, topic)) return filter;
    }
    return undefined;
  };
  const subscribed = (productId: string, deviceName: string) =>
    reaching(productId, deviceName, informTopics(productId, deviceName).inform) !== undefined;

  const stop = platform.events.onTaskStarted((task, devIds) => {
    for (const device of informed(platform, task, devIds)) {
      const topics = informTopics(device.productId, device.name);
      const through = reaching(device.productId, device.name, topics.inform);
      const payload = Buffer.from(informs.send(device.devId, topics.inform, task.tid ?? 0, through));
      if (through) toDevice(topics.inform, payload);
    }
  });

  const servers: Server[] = [createServer(broker.handle)];
  if (options.tls)
    servers.push(
      createTlsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, broker.handle),
    );
  const urls: string[] = [];
  try {
    for (const [i, server] of servers.entries()) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(i === 0 ? port : (options.tls?.port ?? 8883), host, () => resolve());
      });
      const address = server.address() as { address: string; port: number; family: string };
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      urls.push(`${i === 0 ? 'mqtt' : 'mqtts'}://${shown}:${address.port}`);
    }
  } catch (error) {
    stop();
    for (const server of servers) server.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  return {
    url: urls[0] as string,
    ...(urls[1] ? { tlsUrl: urls[1] } : {}),
    subscribed,
    close: async () => {
      stop();
      informs.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function prefix(device: DeviceRecord): string {
  return `$sys/${device.productId}/${device.name}/`;
}

/** The devices a starting task informs: those still in it, if their product takes MQTT (the new platform). */
function informed(platform: Platform, task: TaskRecord, devIds: readonly number[]): DeviceRecord[] {
  const product = platform.state.products.get(task.productId);
  if (product?.generations && !product.generations.includes(generation)) return [];
  return devIds.flatMap((devId) => platform.state.devices.get(devId) ?? []);
}

type ConnectVerdict =
  | { device: DeviceRecord; password: string }
  | { reason: string; returnCode: 4 | 5; device?: undefined; password?: string };

/** OneNET's MQTT device authentication (client id = name, username = product id, password = token). */
async function authenticate(
  platform: Platform,
  clientId: string,
  username: string | undefined,
  password: string | undefined,
): Promise<ConnectVerdict> {
  const productId = username ?? '';
  const product = platform.state.products.get(productId);
  if (!product) return { reason: `username ${JSON.stringify(productId)} is no product`, returnCode: 4 };
  if (product.generations && !product.generations.includes(generation))
    return { reason: `product ${productId} does not accept ${generation} devices`, returnCode: 5 };
  const device = deviceNamed(platform.state, productId, clientId);
  if (!device)
    return { reason: `client id ${JSON.stringify(clientId)} is no device of product ${productId}`, returnCode: 5 };
  const verdict = await verifyToken(password ?? null, {
    nowSeconds: Math.floor(platform.clock.now() / 1000),
    versions: mqttOta.tokenVersions,
    keyFor: (pid, name) => keyFor(platform.state, pid, name),
  });
  const shown = password ?? '';
  const refused = (reason: string): ConnectVerdict => ({
    reason: `password: ${reason}`,
    returnCode: 4,
    password: shown,
  });
  if (!verdict.ok) return refused(verdict.reason);
  const { subject } = verdict;
  if (subject.productId !== productId) return refused(`the token is for product ${subject.productId}`);
  if (subject.deviceName !== undefined && subject.deviceName !== clientId)
    return refused(`the token is for device ${subject.deviceName}`);
  return { device, password: shown };
}

/** A CONNECT in the journal: who tried, with which token (signature redacted), and the CONNACK return code. */
function journalConnect(
  platform: Platform,
  clientId: string,
  username: string | undefined,
  verdict: ConnectVerdict,
): void {
  const entry: Omit<JournalEntry, 'seq'> = {
    time: new Date(platform.clock.now()).toISOString(),
    wallTime: new Date().toISOString(),
    durationMs: 0,
    ...(verdict.device ? { devId: verdict.device.devId } : {}),
    operation: ExchangeName.MqttConnect,
    transport: 'mqtt',
    auth: verdict.device ? 'accepted' : 'refused',
    ...(verdict.device ? {} : { note: verdict.reason }),
    request: {
      method: 'CONNECT',
      path: '',
      query: {},
      headers: {
        'client-id': clientId,
        username: username ?? '',
        password: redactAuthorization(verdict.password ?? ''),
      },
    },
    response: { status: verdict.device ? 0 : verdict.returnCode, headers: {}, bytesSent: 0 },
    faults: [],
  };
  platform.journal.complete(platform.journal.add(entry));
}
