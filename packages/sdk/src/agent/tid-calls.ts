import { FuseCode, type Generation, ModuleType, StudioCode } from '@onenet-ota/openapi/protocol';
import type { OneNetClient } from '../clients.ts';
import type { components } from '../generated/openapi.ts';
import { failureText } from './failure-text.ts';

type TidTaskInfo = components['schemas']['TidTaskInfo'];

/** A check's answer, one shape for both generations: the code of its envelope and the task when there is one. */
export interface TidCheck {
  code: number;
  text: string;
  task?: TidTaskInfo;
}

/**
 * The calls of the generations that name the device by product and name and the task by `tid`: OneNET Studio
 * (`/ota/…`, `errno` envelope, protocol §3) and the new platform (`/fuse-ota/…`, `code` envelope, §4). Their
 * operations take the same parameters; only the prefix and the envelope's field differ. Every call answers the
 * envelope's code, or undefined when the network failed.
 */
export class TidCalls {
  /** Steps and codes the platform accepted, in order. */
  readonly reported: number[] = [];
  /** Why the last check got no answer (the network's reason), for the run's result. */
  lastFailure: string | undefined;
  /** The code for "no task" in this generation (Studio 10, the new platform 12012 "not exist"). */
  readonly noTask: number;
  readonly #client: OneNetClient;
  readonly #prefix: '/ota' | '/fuse-ota';
  readonly #path: { pro_id: string; dev_name: string };
  readonly #log: (line: string) => void;

  constructor(
    client: OneNetClient,
    generation: Exclude<Generation, 'legacy'>,
    device: { productId: string; deviceName: string },
    log: (line: string) => void,
  ) {
    this.#client = client;
    this.#prefix = generation === 'fuse' ? '/fuse-ota' : '/ota';
    this.noTask = generation === 'fuse' ? FuseCode.NotExist : StudioCode.NoTask;
    this.#path = { pro_id: device.productId, dev_name: device.deviceName };
    this.#log = log;
  }

  /** `GET …/check?type&version`. */
  async check(type: ModuleType, version: string): Promise<TidCheck | undefined> {
    try {
      const { data } = await this.#client.GET(
        `${this.#prefix}/{pro_id}/{dev_name}/check` as '/fuse-ota/{pro_id}/{dev_name}/check',
        {
          params: { path: this.#path, query: { type, version } },
        },
      );
      const answer = read(data);
      this.#log(`check: ${answer ? `${answer.code} ${answer.text}` : 'no envelope'}`);
      return answer && { ...answer, ...(data?.data ? { task: data.data } : {}) };
    } catch (error) {
      this.lastFailure = failureText(error);
      this.#log(`check failed: ${this.lastFailure}`);
      return undefined;
    }
  }

  /** `GET …/{tid}/check`: the device's status 1–6 in the task. */
  async status(tid: number): Promise<number | undefined> {
    try {
      const { data } = await this.#client.GET(
        `${this.#prefix}/{pro_id}/{dev_name}/{tid}/check` as '/fuse-ota/{pro_id}/{dev_name}/{tid}/check',
        { params: { path: { ...this.#path, tid } } },
      );
      this.#log(`task ${tid} status: ${data?.data?.status}`);
      return data?.data?.status;
    } catch (error) {
      this.#log(`task status failed: ${failureText(error)}`);
      return undefined;
    }
  }

  /** `GET …/{tid}/download` with `Range`, as a stream. */
  async download(tid: number, range: string, signal: AbortSignal): Promise<Response> {
    const { response } = await this.#client.GET(
      `${this.#prefix}/{pro_id}/{dev_name}/{tid}/download` as '/fuse-ota/{pro_id}/{dev_name}/{tid}/download',
      { params: { path: { ...this.#path, tid }, header: { Range: range } }, parseAs: 'stream', signal },
    );
    return response;
  }

  /** `POST …/{tid}/status` with `{step}`. */
  async report(tid: number, step: number): Promise<number | undefined> {
    try {
      const { data } = await this.#client.POST(
        `${this.#prefix}/{pro_id}/{dev_name}/{tid}/status` as '/fuse-ota/{pro_id}/{dev_name}/{tid}/status',
        { params: { path: { ...this.#path, tid } }, body: { step: step as 0 } },
      );
      const code = read(data)?.code;
      this.#log(`report ${step}: ${code}`);
      if (code === FuseCode.Success) this.reported.push(step); // 0 in both generations
      return code;
    } catch (error) {
      this.#log(`report ${step} failed: ${failureText(error)}`);
      return undefined;
    }
  }

  /** `POST …/version` with this module's version. */
  async reportVersion(type: ModuleType, version: string): Promise<number | undefined> {
    try {
      const body = type === ModuleType.Fota ? { f_version: version } : { s_version: version };
      const { data } = await this.#client.POST(
        `${this.#prefix}/{pro_id}/{dev_name}/version` as '/fuse-ota/{pro_id}/{dev_name}/version',
        { params: { path: this.#path }, body },
      );
      const code = read(data)?.code;
      this.#log(`version ${version}: ${code}`);
      return code;
    } catch (error) {
      this.#log(`version ${version} failed: ${failureText(error)}`);
      return undefined;
    }
  }
}

/** The code and text of either envelope: Studio's `{errno, error}`, the new platform's `{code, msg}`. */
function read(data: unknown): { code: number; text: string } | undefined {
  const envelope = data as { errno?: number; error?: string; code?: number; msg?: string } | undefined;
  const code = envelope?.code ?? envelope?.errno;
  return typeof code === 'number' ? { code, text: envelope?.msg ?? envelope?.error ?? '' } : undefined;
}
