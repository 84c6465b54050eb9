import createClient, { type Client } from 'openapi-fetch';
import { deviceResource, productResource } from './auth/token.ts';
import { createTokenSource, type TokenSourceOptions } from './auth/token-source.ts';
import type { paths } from './generated/openapi.ts';

/** An openapi-fetch client typed with every operation of the spec. */
export type OneNetClient = Client<paths>;

/** A `fetch` the clients call; injectable so tests and in-process platforms need no global mocking. */
export type FetchLike = (request: Request) => Promise<Response>;

/** Options of {@link createDeviceClient}. */
export interface DeviceClientOptions
  extends Pick<TokenSourceOptions, 'method' | 'lifetimeSeconds' | 'renewBeforeSeconds' | 'now'> {
  /** `http://ota.heclouds.com`, or the mock platform's URL. */
  baseUrl: string;
  productId: string;
  /** The product's access key, or the device's when `deviceName` is given. */
  accessKey: string;
  /** Sign device-level tokens (`res=products/{pid}/devices/{deviceName}`) instead of product-level ones. */
  deviceName?: string;
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
 */
export function createDeviceClient(options: DeviceClientOptions): OneNetClient {
  const { baseUrl, productId, deviceName, fetch = lateBoundFetch } = options;
  const res = deviceName ? deviceResource(productId, deviceName) : productResource(productId);
  const tokens = createTokenSource({ ...options, res });
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
