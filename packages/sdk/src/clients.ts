import { type Generation, tokenRules } from '@onenet-ota/openapi/protocol';
import createClient, { type Client } from 'openapi-fetch';
import { deviceResource, productResource, userResource } from './auth/token.ts';
import { createTokenSource, type TokenSourceOptions } from './auth/token-source.ts';
import type { paths } from './generated/openapi.ts';

/** An openapi-fetch client typed with every operation of the spec. */
export type OneNetClient = Client<paths>;

/** A `fetch` the clients call; injectable so tests and in-process platforms need no global mocking. */
export type FetchLike = (request: Request) => Promise<Response>;

/** The paths of one OTA generation: Studio's `/ota/{pro_id}/…`, the new platform's `/fuse-ota/…`. */
export type GenerationPaths<G extends Generation> = {
  [P in keyof paths as G extends 'fuse'
    ? P extends `/fuse-ota/${string}`
      ? P
      : never
    : G extends 'studio'
      ? P extends `/ota/{pro_id}/${string}`
        ? P
        : never
      : P]: paths[P];
};

/** A device client typed with the operations of its generation (every operation for `legacy`). */
export type DeviceClient<G extends Generation = 'legacy'> = G extends 'legacy'
  ? OneNetClient
  : Client<GenerationPaths<G>>;

/** Options of {@link createDeviceClient}. */
export interface DeviceClientOptions<G extends Generation = Generation>
  extends Pick<TokenSourceOptions, 'method' | 'version' | 'lifetimeSeconds' | 'renewBeforeSeconds' | 'now'> {
  /** `http://ota.heclouds.com` (or `studio-ota.heclouds.com`, `iot-api.heclouds.com`), or the mock platform's URL. */
  baseUrl: string;
  productId: string;
  /** The product's access key, the device's when `deviceName` is given, the account's with `userId`. */
  accessKey: string;
  /**
   * The device's name: Studio and the new platform put it in the path. Alone it also makes the token device-level
   * (`res=products/{pid}/devices/{deviceName}`) instead of product-level.
   */
  deviceName?: string;
  /** Sign user-level tokens (`res=userid/{uid}`) with the account's key: the new platform only (protocol §1.5). */
  userId?: number;
  /**
   * Which OneNET OTA generation the device speaks (protocol §2–§4): `legacy` by default. It sets the token's
   * default `version` (the first the generation accepts: `2022-05-01` for `fuse`) and the client's typing.
   */
  generation?: G;
  fetch?: FetchLike;
}

// Bind late: openapi-fetch captures `fetch` at creation, and MSW may patch the global after that.
const lateBoundFetch: FetchLike = (request) => globalThis.fetch(request);

/**
 * A client for the southbound device API that signs every request with a OneNET `Authorization` token,
 * renewed before it expires. Returns openapi-fetch's `{ data, error, response }`; it never throws on a status.
 *
 * @example
 * const device = createDeviceClient({ baseUrl: 'http://127.0.0.1:8787', productId: '123123', accessKey });
 * const { data } = await device.GET('/ota/south/check', {
 *   params: { query: { dev_id: 32981907, manuf: '100', model: '10001', type: 2, version: 'V1.0' } },
 * });
 * if (data?.errno === Errno.Success) console.log(data.data?.target);
 *
 * // A device on the new platform: device-level token, version 2022-05-01, only the /fuse-ota operations typed.
 * const fuse = createDeviceClient({ generation: 'fuse', baseUrl, productId: 'XHm5ltr9qA', deviceName: 'board1', accessKey: deviceKey });
 * await fuse.GET('/fuse-ota/{pro_id}/{dev_name}/check', {
 *   params: { path: { pro_id: 'XHm5ltr9qA', dev_name: 'board1' }, query: { type: 2, version: 'V1.0' } },
 * });
 */
export function createDeviceClient<G extends Generation = 'legacy'>(options: DeviceClientOptions<G>): DeviceClient<G>;
export function createDeviceClient(options: DeviceClientOptions): OneNetClient {
  const { baseUrl, productId, deviceName, fetch = lateBoundFetch, generation = 'legacy' } = options;
  if (options.userId !== undefined && !(tokenRules[generation].res as readonly string[]).includes('user'))
    throw new TypeError(`userId: ${generation} takes no user-level tokens (res=userid/{uid}); only fuse does`);
  const res =
    options.userId !== undefined
      ? userResource(options.userId)
      : deviceName
        ? deviceResource(productId, deviceName)
        : productResource(productId);
  const version = options.version ?? tokenRules[generation].versions[0];
  const tokens = createTokenSource({ ...options, res, version });
  const client = createClient<paths>({ baseUrl, fetch });
  client.use({
    async onRequest({ request }) {
      request.headers.set('Authorization', await tokens.get());
      return request;
    },
  });
  return client;
}

/** Options of {@link createManagementClient}. */
export interface ManagementClientOptions {
  /** The mock platform's URL, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** The platform's admin token, sent as `Authorization: Bearer …`; needed when it listens beyond loopback. */
  adminToken?: string;
  fetch?: FetchLike;
}

/**
 * A client for the management and mock control APIs. Errors come back as RFC 9457 problem details in `error`.
 *
 * @example
 * const admin = createManagementClient({ baseUrl: 'http://192.168.1.20:8787', adminToken: process.env.OTA_ADMIN_TOKEN });
 * await admin.POST('/__mock/clock/advance', { body: { ms: 48 * 3600_000 + 1000 } });
 */
export function createManagementClient(options: ManagementClientOptions): OneNetClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch ?? lateBoundFetch });
  const { adminToken } = options;
  if (adminToken !== undefined) {
    client.use({
      onRequest({ request }) {
        request.headers.set('Authorization', `Bearer ${adminToken}`);
        return request;
      },
    });
  }
  return client;
}
