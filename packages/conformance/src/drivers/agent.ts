import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type AgentStore, OtaAgent, type OtaAgentOptions, vcdiffRestore } from '@onenet-ota/sdk';
import { FileStore, fileSource, runInformed } from '@onenet-ota/sdk/node';
import type { DeviceDriver } from './device.ts';
import { type Quirk, withQuirks } from './quirks.ts';

/** The in-process reference agent's options a run may set. */
export interface AgentDeviceOptions {
  /** Bytes per `Range` request; the run's `--fragment-size` by default. */
  fragmentSize?: number;
  /** Mistakes to commit, making the agent a mutant that must fail the rules about them. */
  quirks?: readonly Quirk[];
}

/** After a power cut nothing more reaches the disk: every store call fails, as the agent's last writes would. */
function guarded(store: AgentStore, dead: () => boolean): AgentStore {
  const alive = () => {
    if (dead()) throw new Error('power cut');
  };
  return {
    load() {
      alive();
      return store.load();
    },
    save(state) {
      alive();
      return store.save(state);
    },
    write(offset, bytes) {
      alive();
      return store.write(offset, bytes);
    },
    read(size) {
      alive();
      return store.read(size);
    },
    clear() {
      alive();
      return store.clear();
    },
  };
}

/**
 * The SDK's reference agent in this process, talking to the platform without HTTP and sleeping on the platform's
 * clock, so a whole suite runs in seconds. `quirks` turn it into a mutant. Killing it makes every further request
 * fail, which ends its run as a power cut would; the next start resumes from the same state directory.
 */
export function agentDevice(options: AgentDeviceOptions = {}): DeviceDriver {
  const mutant = options.quirks?.length ? ` with quirks ${options.quirks.join(', ')}` : '';
  return {
    describe: `OtaAgent in process${mutant}`,
    lacks: [],
    clock: { follows: true, how: 'the in-process agent reads the platform clock' },
    start(setup) {
      let dead = false;
      const fetch = async (request: Request) => {
        if (dead) throw new Error('power cut');
        return setup.platform.fetch(request);
      };
      // Studio and the new platform name the device in the path: it signs device-level, as the official C code does.
      const named = setup.generation === 'legacy' ? {} : { deviceName: setup.deviceName, accessKey: setup.deviceKey };
      const reference: OtaAgentOptions = {
        client: {
          generation: setup.generation,
          baseUrl: setup.baseUrl,
          productId: setup.productId,
          accessKey: setup.accessKey,
          ...named,
          fetch,
          now: setup.platform.clock.now,
        },
        devId: setup.devId,
        type: setup.type,
        manuf: setup.manuf,
        model: setup.model,
        version: setup.version,
        store: guarded(new FileStore(setup.stateDir), () => dead),
        fragmentSize: options.fragmentSize ?? setup.fragmentSize,
        ...(setup.power === undefined ? {} : { power: () => setup.power as number }),
        ...(setup.signal === undefined ? {} : { signal: () => setup.signal as number }),
        now: setup.platform.clock.now,
        sleep: async (ms) => {
          if (dead) throw new Error('power cut');
          setup.platform.clock.advance(ms);
        },
        install: async (image) => {
          if (dead) throw new Error('power cut');
          await pipeline(image, createWriteStream(setup.output) as Writable);
        },
        // Opened when a differential package arrives, not for every case.
        restore: (patch, task) => vcdiffRestore(fileSource(setup.firmware))(patch, task),
      };
      const agent = new OtaAgent(withQuirks(reference, options.quirks ?? []));
      const run = setup.mqttUrl
        ? runInformed(agent, {
            url: setup.mqttUrl,
            productId: setup.productId,
            deviceName: setup.deviceName,
            accessKey: setup.deviceKey,
            timeoutMs: 30_000,
            log: () => {},
          })
        : agent.run();
      const done = run.then((result) => {
        const stdout = JSON.stringify(result);
        return {
          exitCode: result.outcome === 'upgraded' || result.outcome === 'no-task' ? 0 : 1,
          stdout,
          stderr: '',
          stdoutBytes: stdout.length,
          stderrBytes: 0,
        };
      });
      return {
        done,
        async kill() {
          dead = true;
          await done;
        },
      };
    },
  };
}
