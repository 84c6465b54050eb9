import { ModuleType, ProgressErrno, type ResultCode } from '@onenet-ota/openapi/protocol';
import type { OneNetClient } from '../clients.ts';
import { failureText } from './failure-text.ts';

/**
 * The agent's calls that only report or ask, each answering its errno (undefined when the network failed, which
 * the agent treats as a failed attempt) and logging what happened.
 */
export class DeviceCalls {
  /** Steps and codes the platform accepted, in order. */
  readonly reported: number[] = [];
  readonly #client: OneNetClient;
  readonly #devId: number;
  readonly #type: ModuleType;
  readonly #log: (line: string) => void;

  constructor(client: OneNetClient, devId: number, type: ModuleType, log: (line: string) => void) {
    this.#client = client;
    this.#devId = devId;
    this.#type = type;
    this.#log = log;
  }

  /** `GET /ota/south/download/{token}/check`. */
  async checkToken(token: string): Promise<number | undefined> {
    return this.#attempt('token check', async () => {
      const { data } = await this.#client.GET('/ota/south/download/{token}/check', {
        params: { path: { token }, query: { dev_id: this.#devId } },
      });
      return data?.errno;
    });
  }

  /** A step or status code, through `/progress` (it carries both). */
  async report(token: string, step: number): Promise<number | undefined> {
    const errno = await this.#attempt(`report ${step}`, async () => {
      const { data } = await this.#client.POST('/ota/south/device/download/{token}/progress', {
        params: { path: { token }, query: { dev_id: this.#devId } },
        body: { step: step as ResultCode },
      });
      return data?.errno;
    });
    if (errno === ProgressErrno.Success) this.reported.push(step);
    return errno;
  }

  /** The version of this agent's module, as `f_version` (FOTA) or `s_version` (SOTA). */
  async reportVersion(version: string): Promise<number | undefined> {
    const body = this.#type === ModuleType.Fota ? { f_version: version } : { s_version: version };
    return this.#attempt(`version ${version}`, async () => {
      const { data } = await this.#client.POST('/ota/device/version', {
        params: { query: { dev_id: this.#devId } },
        body,
      });
      return data?.errno;
    });
  }

  async #attempt(what: string, call: () => Promise<number | undefined>): Promise<number | undefined> {
    try {
      const errno = await call();
      this.#log(`${what}: errno ${errno}`);
      return errno;
    } catch (error) {
      this.#log(`${what} failed: ${failureText(error)}`);
      return undefined;
    }
  }
}
