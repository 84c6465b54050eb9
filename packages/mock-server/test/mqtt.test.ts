import { spawn } from 'node:child_process';
import { deviceResource, productResource, signToken } from '@onenet-ota/sdk';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { specValidator } from '../src/core/http/spec.ts';
import { demo, type JournalEntry, requestLine } from '../src/index.ts';
import { type RunningBroker, startMqttBroker } from '../src/node.ts';
import { type Harness, otaDeviceBin, startHarness } from './harness.ts';

// The new platform's MQTT door: a real broker on 127.0.0.1, real mqtt.js clients, the SDK's ota-device as a process.

let h: Harness;
let broker: RunningBroker;
const clients: MqttClient[] = [];
beforeEach(async () => {
  h = await startHarness({ seed: 'demo', clock: 'real' });
  broker = await startMqttBroker({ platform: h.platform, port: 0, replyWithinMs: 1_000 });
  // The demo task runs already; cancel it, so the test starts one of its own while the device listens.
  await h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: 'tsk_1', action: 'cancel' } },
  });
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.endAsync(true);
  await broker.close();
  await h.close();
});

const topics = {
  inform: `$sys/${demo.productId}/${demo.deviceName}/ota/inform`,
  reply: `$sys/${demo.productId}/${demo.deviceName}/ota/inform_reply`,
};

async function token(kind: 'device' | 'product' = 'device', key: string = demo.deviceKey) {
  return signToken({
    accessKey: key,
    res: kind === 'device' ? deviceResource(demo.productId, demo.deviceName) : productResource(demo.productId),
    et: Math.floor(Date.now() / 1000) + 3600,
  });
}

async function connect(options: { clientId?: string; username?: string; password?: string } = {}) {
  const client = await connectAsync(broker.url, {
    clientId: options.clientId ?? demo.deviceName,
    username: options.username ?? demo.productId,
    password: options.password ?? (await token()),
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

/** A new task for the demo device, not started; returns a function that starts it. */
let tasks = 0;
async function newTask(): Promise<() => Promise<void>> {
  const packages = await h.admin.GET('/api/v1/products/{productId}/packages', {
    params: { path: { productId: demo.productId } },
  });
  const created = await h.admin.POST('/api/v1/products/{productId}/tasks', {
    params: { path: { productId: demo.productId } },
    body: {
      name: `informed ${++tasks}`,
      packageId: packages.data?.items[0]?.id ?? '',
      targets: { devIds: [demo.devId] },
    },
  });
  const taskId = created.data?.id ?? '';
  if (created.error) throw new Error(JSON.stringify(created.error));
  return async () => {
    const started = await h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId: demo.productId, taskId, action: 'start' } },
    });
    expect(started.response.status).toBe(200);
  };
}

const mqttEntries = (operation: string) => h.platform.journal.query({ operation }).entries;

async function until<T>(get: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const validJournalEntry = (entry: JournalEntry) => {
  const validate = specValidator().schema('JournalEntry');
  expect(validate(entry), JSON.stringify(validate.errors)).toBe(true);
};

describe('the MQTT door (ota-mock --mqtt-port)', () => {
  it('authenticates as OneNET does, journals each CONNECT with its CONNACK code, and keeps devices to their topics', async () => {
    await connect();
    await connect({ clientId: 'other', password: await token('product', demo.productKey) }).catch(() => {});
    await expect(connect({ password: await token('device', btoa('wrong key, 32 bytes long!!!!!!!')) })).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(connect({ username: 'nope' })).rejects.toThrow(/Bad username or password/i);
    const product = await connect({ clientId: demo.deviceName, password: await token('product', demo.productKey) });
    const connects = mqttEntries('mqttConnect');
    expect(connects.map((e) => [e.request.headers['client-id'], e.response.status, e.auth])).toEqual([
      [demo.deviceName, 0, 'accepted'],
      ['other', 5, 'refused'],
      [demo.deviceName, 4, 'refused'],
      [demo.deviceName, 4, 'refused'],
      [demo.deviceName, 0, 'accepted'],
    ]);
    expect(connects[2]?.note).toMatch(/^password: /);
    expect(connects[2]?.request.headers.password).toContain('sign=<redacted>');
    for (const entry of connects) validJournalEntry(entry);
    // Another device's topics are not this device's to read: the broker answers SUBACK 0x80.
    await expect(product.subscribeAsync(`$sys/${demo.productId}/someone-else/ota/inform`)).rejects.toThrow(
      /Subscribe error/,
    );
  });

  it('publishes ota/inform when a task starts and journals the reply, its code and how long it took', async () => {
    const start = await newTask();
    const device = await connect();
    await device.subscribeAsync(topics.inform);
    await until(() => (broker.subscribed(demo.productId, demo.deviceName) ? true : undefined));
    const received = new Promise<{ topic: string; payload: unknown }>((resolve) =>
      device.once('message', (topic, payload) => resolve({ topic, payload: JSON.parse(payload.toString()) })),
    );
    await start();
    const inform = await received;
    expect(inform.topic).toBe(topics.inform);
    const validate = specValidator().schema('OtaInform');
    expect(validate(inform.payload), JSON.stringify(validate.errors)).toBe(true);
    const { id } = inform.payload as { id: string };
    await device.publishAsync(topics.reply, JSON.stringify({ id, code: 200, message: 'success' }));
    const entry = await until(() => mqttEntries('otaInform').find((e) => e.response.status !== 0));
    expect(entry).toMatchObject({
      devId: demo.devId,
      transport: 'mqtt',
      request: { method: 'PUBLISH', path: topics.inform, body: { json: inform.payload } },
      response: { status: 200, body: { json: { id, code: 200, message: 'success' } } },
    });
    expect(entry.note).toBeUndefined();
    expect(entry.durationMs).toBeLessThan(1_000);
    validJournalEntry(entry);
    // ota-mock's request log says it in one line.
    expect(requestLine(entry)).toMatch(
      new RegExp(
        `^\\S+ dev ${demo.devId} +otaInform +MQTT \\$sys/${demo.productId}/${demo.deviceName}/ota/inform → reply 200 in \\d+ ms$`,
      ),
    );
  });

  it('says when the reply did not come in time, and when the device was not listening', async () => {
    const start = await newTask();
    const device = await connect();
    await device.subscribeAsync(topics.inform);
    await until(() => (broker.subscribed(demo.productId, demo.deviceName) ? true : undefined));
    await start();
    const silent = await until(() => mqttEntries('otaInform').find((e) => e.note));
    expect(silent.note).toBe('no reply on ota/inform_reply within 1 s');
    expect(silent.response.status).toBe(0);

    await device.unsubscribeAsync(topics.inform);
    await until(() => (broker.subscribed(demo.productId, demo.deviceName) ? undefined : true));
    await h.admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId: demo.productId, taskId: 'tsk_2', action: 'cancel' } },
    });
    await (await newTask())();
    const missed = await until(() => mqttEntries('otaInform')[1]);
    expect(missed.note).toBe(
      `not delivered: no subscription of the device matches ${topics.inform} (QoS 0, nothing is kept for it)`,
    );
    validJournalEntry(missed);
  });

  it('answers thing-model posts on their reply topic, and refuses what it cannot read with 400', async () => {
    const tree = `$sys/${demo.productId}/${demo.deviceName}`;
    const device = await connect();
    await device.subscribeAsync(`${tree}/thing/+/+/reply`);
    await device.subscribeAsync(`${tree}/thing/property/desired/+/reply`);
    // A wildcard into another device's tree is refused, as any topic outside the device's own.
    await expect(device.subscribeAsync(`$sys/${demo.productId}/+/thing/#`)).rejects.toThrow(/Subscribe error/);
    const replies: { topic: string; json: unknown }[] = [];
    device.on('message', (topic, payload) => replies.push({ topic, json: JSON.parse(payload.toString()) }));
    await device.publishAsync(
      `${tree}/thing/event/post`,
      JSON.stringify({ id: '5', params: { Alarm: { value: {} } } }),
    );
    await device.publishAsync(`${tree}/thing/property/desired/get`, JSON.stringify({ id: '6', params: ['Power'] }));
    await device.publishAsync(`${tree}/thing/property/post`, 'not json');
    await until(() => (replies.length === 3 ? true : undefined));
    expect(replies).toEqual([
      { topic: `${tree}/thing/event/post/reply`, json: { id: '5', code: 200, msg: 'success' } },
      { topic: `${tree}/thing/property/desired/get/reply`, json: { id: '6', code: 200, msg: 'success', data: {} } },
      { topic: `${tree}/thing/property/post/reply`, json: { id: '', code: 400, msg: 'invalid payload' } },
    ]);
    const posts = mqttEntries('thingPost');
    expect(posts.map((e) => [e.request.path, e.response.status])).toEqual([
      [`${tree}/thing/event/post`, 200],
      [`${tree}/thing/property/desired/get`, 200],
      [`${tree}/thing/property/post`, 400],
    ]);
    expect(posts[2]?.note).toMatch(/not a JSON object with a string id/);
    for (const entry of posts) validJournalEntry(entry);
    expect(requestLine(posts[0] as JournalEntry)).toMatch(/ thingPost +MQTT \S+\/thing\/event\/post → answered 200$/);
  });

  it('delivers an inform through a wildcard subscription and says so', async () => {
    const start = await newTask();
    const device = await connect();
    await device.subscribeAsync(`$sys/${demo.productId}/${demo.deviceName}/+/inform`);
    await until(() => (broker.subscribed(demo.productId, demo.deviceName) ? true : undefined));
    const received = new Promise<string>((resolve) => device.once('message', (topic) => resolve(topic)));
    await start();
    expect(await received).toBe(topics.inform);
    const entry = await until(() => mqttEntries('otaInform')[0]);
    expect(entry.note).toMatch(
      new RegExp(`^delivered through the subscription to \\$sys/${demo.productId}/${demo.deviceName}/\\+/inform`),
    );
  });

  it('ota-device --mqtt-url checks, waits for the inform, answers it within the 20 s and upgrades', async () => {
    const start = await newTask();
    const child = spawn(
      process.execPath,
      [otaDeviceBin, '--generation', 'fuse', '--device-name', demo.deviceName, '--access-key', demo.deviceKey],
      {
        env: {
          ...process.env,
          OTA_BASE_URL: h.url,
          OTA_PRODUCT_ID: demo.productId,
          OTA_VERSION: demo.fromVersion,
          OTA_MQTT_URL: broker.url,
          OTA_INFORM_TIMEOUT_MS: '20000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // The device checked first (nothing yet) and listens: now the task starts.
    await until(() =>
      broker.subscribed(demo.productId, demo.deviceName) && mqttEntries('fuseCheckTask').length > 0 ? true : undefined,
    );
    await start();
    expect(await exited).toBe(0);
    const result = JSON.parse(stdout);
    const inform = mqttEntries('otaInform')[0];
    expect(result).toMatchObject({
      outcome: 'upgraded',
      target: demo.targetVersion,
      informed: inform?.request.body?.json && (inform.request.body.json as { id: string }).id,
    });
    expect(inform?.response.status).toBe(200);
    // The check after the inform found the task.
    const checks = mqttEntries('fuseCheckTask');
    expect(checks.map((e) => e.errno)).toEqual([12012, 0]);
    expect(checks[1]?.seq).toBeGreaterThan(inform?.seq ?? Infinity);
  }, 30_000);
});

it('matches topic filters as MQTT 3.1.1 §4.7 does', async () => {
  const { matchesFilter } = await import('../src/mqtt/topic-filter.ts');
  const cases: [string, string, boolean][] = [
    ['$sys/1/d/ota/#', '$sys/1/d/ota/inform', true],
    ['$sys/1/d/ota/#', '$sys/1/d/ota', true],
    ['$sys/1/d/+/inform', '$sys/1/d/ota/inform', true],
    ['$sys/1/d/+', '$sys/1/d/ota/inform', false],
    ['$sys/1/d/ota/inform', '$sys/1/d/ota/inform_reply', false],
    ['$sys/1/d/ota/inform/#', '$sys/1/d/ota/inform', true],
    ['$sys/1/+/ota/inform', '$sys/1/d/ota/inform', true],
  ];
  for (const [filter, topic, matches] of cases)
    expect([filter, topic, matchesFilter(filter, topic)]).toEqual([filter, topic, matches]);
});
