import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createManagementClient, deviceResource, OtaAgent, signToken } from '@onenet-ota/sdk';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { specValidator } from '../src/core/http/spec.ts';
import { demo, type JournalEntry } from '../src/index.ts';

// A thing-model device as OneNET's own SDKs make one, with mqtt.js: it subscribes to wildcards of its own tree,
// posts a property and waits for the reply, then upgrades over the new platform's HTTP API when informed. It runs
// against `ota-mock --mqtt-port` as a real process, as a device on the bench would.

const bin = new URL('../bin/ota-mock.ts', import.meta.url).pathname;
let child: ChildProcess | undefined;
let device: MqttClient | undefined;
afterEach(async () => {
  await device?.endAsync(true);
  child?.kill();
});

async function startOtaMock(): Promise<{ url: string; mqttUrl: string }> {
  child = spawn(process.execPath, [bin, '--port', '0', '--mqtt-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child?.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Control API')) resolve();
    });
    child?.once('exit', (code) => reject(new Error(`ota-mock exited with ${code}: ${output}`)));
  });
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
  const mqttUrl = /MQTT: +(mqtt:\/\/\S+)/.exec(output)?.[1] ?? '';
  return { url, mqttUrl };
}

/** Messages as they come, and a way to wait for the next one on a topic. */
function inbox(client: MqttClient) {
  const seen: { topic: string; json: Record<string, unknown> }[] = [];
  const waiting: (() => void)[] = [];
  client.on('message', (topic, payload) => {
    seen.push({ topic, json: JSON.parse(payload.toString()) });
    for (const wake of waiting.splice(0)) wake();
  });
  const next = async (topic: string, ms = 10_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const found = seen.find((m) => m.topic === topic);
      if (found) return found.json;
      if (Date.now() > end) throw new Error(`nothing on ${topic}; saw ${JSON.stringify(seen)}`);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { seen, next };
}

it('a thing-model device posts a property, gets its reply, and upgrades when informed', async () => {
  const { url, mqttUrl } = await startOtaMock();
  const admin = createManagementClient({ baseUrl: url });
  const tree = `$sys/${demo.productId}/${demo.deviceName}`;
  // The demo task runs already; cancel it, so the device hears of a task started while it listens.
  await admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: 'tsk_1', action: 'cancel' } },
  });

  device = await connectAsync(mqttUrl, {
    clientId: demo.deviceName,
    username: demo.productId,
    password: await signToken({
      accessKey: demo.deviceKey,
      res: deviceResource(demo.productId, demo.deviceName),
      et: Math.floor(Date.now() / 1000) + 3600,
    }),
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  const messages = inbox(device);
  const granted = await device.subscribeAsync([`${tree}/thing/#`, `${tree}/ota/#`]);
  expect(granted.map((g) => g.qos)).toEqual([0, 0]);

  // A property post and its reply: the reply, not the device's own post echoed back through `thing/#`.
  await device.publishAsync(
    `${tree}/thing/property/post`,
    JSON.stringify({ id: '17', version: '1.0', params: { Temperature: { value: 23.6, time: Date.now() } } }),
    { qos: 1 },
  );
  const reply = await messages.next(`${tree}/thing/property/post/reply`);
  expect(reply).toEqual({ id: '17', code: 200, msg: 'success' });
  const validReply = specValidator().schema('ThingReply');
  expect(validReply(reply), JSON.stringify(validReply.errors)).toBe(true);

  // A task starts; the inform reaches the device through its `ota/#` subscription.
  const packages = await admin.GET('/api/v1/products/{productId}/packages', {
    params: { path: { productId: demo.productId } },
  });
  const pkg = packages.data?.items[0];
  const created = await admin.POST('/api/v1/products/{productId}/tasks', {
    params: { path: { productId: demo.productId } },
    body: { name: 'thing-model', packageId: pkg?.id ?? '', targets: { devIds: [demo.devId] } },
  });
  await admin.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
    params: { path: { productId: demo.productId, taskId: created.data?.id ?? '', action: 'start' } },
  });
  const inform = await messages.next(`${tree}/ota/inform`);
  await device.publishAsync(`${tree}/ota/inform_reply`, JSON.stringify({ id: inform.id, code: 200, msg: 'ok' }));

  const installed: Uint8Array[] = [];
  const result = await new OtaAgent({
    client: {
      generation: 'fuse',
      baseUrl: url,
      productId: demo.productId,
      deviceName: demo.deviceName,
      accessKey: demo.deviceKey,
    },
    type: 2,
    version: demo.fromVersion,
    install: async (chunks) => {
      for await (const chunk of chunks) installed.push(new Uint8Array(chunk));
    },
  }).run();
  expect(result).toMatchObject({ outcome: 'upgraded', target: demo.targetVersion });
  const md5 = createHash('md5');
  for (const chunk of installed) md5.update(chunk);
  expect(md5.digest('hex')).toBe(pkg?.md5);

  // Nothing the device published came back to it.
  expect(messages.seen.map((m) => m.topic)).toEqual([`${tree}/thing/property/post/reply`, `${tree}/ota/inform`]);
  // The journal says what happened over MQTT, each entry as the spec defines it.
  const journal = (await (await fetch(`${url}/__mock/journal`)).json()) as { entries: JournalEntry[] };
  const validEntry = specValidator().schema('JournalEntry');
  const mqtt = journal.entries.filter((e) => e.transport === 'mqtt');
  for (const entry of mqtt) expect(validEntry(entry), JSON.stringify(validEntry.errors)).toBe(true);
  expect(mqtt.map((e) => [e.operation, e.response.status, e.note])).toEqual([
    ['mqttConnect', 0, undefined],
    ['thingPost', 200, undefined],
    ['otaInform', 200, `delivered through the subscription to ${tree}/ota/#`],
  ]);
}, 30_000);
