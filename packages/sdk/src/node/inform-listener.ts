import { mqttOta } from '@onenet-ota/openapi/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { deviceResource, productResource, signToken } from '../auth/token.ts';
import type { components } from '../generated/openapi.ts';
import { informTopics } from '../mqtt-topics.ts';

type OtaInform = components['schemas']['OtaInform'];

/** Options of {@link listenForInform}. */
export interface InformListenerOptions {
  /** The broker: `mqtt://mqtts.heclouds.com:1883` on OneNET, what `ota-mock --mqtt-port` prints here. */
  url: string;
  productId: string;
  deviceName: string;
  /** The device's key (device-level token) or the product's (product-level with `productKey: true`). */
  accessKey: string;
  /** Sign a product-level token instead of a device-level one. */
  productKey?: boolean;
  /** Token expiry, Unix seconds; a year from now by default (MQTT keeps the connection, not the token). */
  et?: number;
  /** Also trust this CA (PEM) for `mqtts://`. */
  ca?: string;
  /** Where to say what it does (connected, an inform and its reply); silent by default. */
  log?: (line: string) => void;
}

/** A device connected to the OneNET MQTT door and subscribed to its `ota/inform` topic. */
export interface InformListener {
  /**
   * The next inform, already answered on `ota/inform_reply` (`{"id", "code": 200, "msg": "ok"}`, within
   * milliseconds of its arrival, well inside OneNET's 20 s); undefined when `timeoutMs` passes first.
   */
  next(timeoutMs: number): Promise<OtaInform | undefined>;
  /** Disconnects. */
  close(): Promise<void>;
}

/**
 * Connects as OneNET's MQTT devices do (client id = device name, username = product id, password = a 2018-10-31
 * token) and subscribes to `$sys/{pid}/{device-name}/ota/inform` (protocol §4.6). Throws when the broker refuses
 * the connection or the subscription.
 *
 * @example
 * const inform = await listenForInform({ url, productId, deviceName, accessKey: deviceKey });
 * if (await inform.next(60_000)) await agent.run();
 */
export async function listenForInform(options: InformListenerOptions): Promise<InformListener> {
  const { productId, deviceName, log = () => {} } = options;
  const password = await signToken({
    accessKey: options.accessKey,
    res: options.productKey ? productResource(productId) : deviceResource(productId, deviceName),
    et: options.et ?? Math.floor(Date.now() / 1000) + 365 * 86_400,
    version: mqttOta.tokenVersions[0],
  });
  const client: MqttClient = await connectAsync(options.url, {
    clientId: deviceName,
    username: productId,
    password,
    protocolVersion: 4,
    // One attempt: the caller decides what a refused connection means.
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(options.ca ? { ca: options.ca } : {}),
  });
  const topics = informTopics(productId, deviceName);
  const queue: OtaInform[] = [];
  let wake: (() => void) | undefined;
  client.on('message', (topic, payload) => {
    if (topic !== topics.inform) return;
    let inform: OtaInform;
    try {
      inform = JSON.parse(payload.toString('utf8')) as OtaInform;
    } catch {
      log(`ota/inform: not JSON, ignored: ${payload.toString('utf8').slice(0, 200)}`);
      return;
    }
    log(`ota/inform ${inform.id}: replying`);
    // Answered at once, before any work: the 20 s are the platform's, not the download's.
    client.publish(topics.reply, JSON.stringify({ id: inform.id, code: 200, msg: 'ok' }), { qos: 0 });
    queue.push(inform);
    wake?.();
  });
  const granted = await client.subscribeAsync(topics.inform, { qos: 0 });
  if (granted.some((grant) => grant.qos === 128)) {
    await client.endAsync();
    throw new Error(`the broker refused the subscription to ${topics.inform}`);
  }
  log(`mqtt: connected to ${options.url}, subscribed to ${topics.inform}`);
  return {
    next: async (timeoutMs) => {
      if (queue.length === 0)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      wake = undefined;
      return queue.shift();
    },
    close: () => client.endAsync(),
  };
}
