import { deviceNamed } from '../domain/device-named.ts';
import type { PlatformState } from '../domain/records.ts';
import { devIdFrom, devIdOf } from './dev-id.ts';
import type { Route } from './router.ts';

/**
 * The device a request is about: `dev_id`, the device of the token, the product and name in a Studio or new-platform
 * path, or the `devId` in a management path. Used for every call the platform answers and for the requests it could
 * not read, so a device's journal shows both.
 */
export function requestDevice(state: PlatformState, url: URL, route: Route): number | undefined {
  // A request without a query (a package fragment) is not made to parse one.
  const query = url.search === '' ? undefined : url.searchParams;
  const fromQuery = devIdOf(query);
  if (fromQuery !== undefined) return fromQuery;
  const token = route.params.token ?? query?.get('token');
  if (token) return state.tokens.get(token)?.devId;
  const { pro_id: productId, dev_name: name } = route.params;
  if (productId !== undefined && name !== undefined) return deviceNamed(state, productId, name)?.devId;
  return devIdFrom(route.params.devId);
}
