import { assemblePlatform, type Platform, type PlatformOptions } from './core/machinery.ts';
import { handlers } from './handlers.ts';

/**
 * Creates an isolated platform: nothing is shared between instances, so parallel tests never see each other.
 *
 * @example
 * const platform = createPlatform({ seed: 'demo' });
 * const device = createDeviceClient({ baseUrl: 'http://mock.invalid', productId: '123123', accessKey, fetch: platform.fetch });
 */
export function createPlatform(options: PlatformOptions = {}): Platform {
  return assemblePlatform(handlers, options);
}
