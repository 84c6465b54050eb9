/**
 * @module
 * The MSW door of the mock platform, for in-process tests with `setupServer`.
 */
import { type HttpHandler, http } from 'msw';
import type { Platform } from './core/platform.ts';

/**
 * MSW handlers that forward every request under `baseUrl` to the platform.
 *
 * @example
 * const platform = createPlatform({ seed: 'demo' });
 * const server = setupServer(...handlers(platform));
 * server.listen({ onUnhandledFrame: 'error' });
 */
export function handlers(platform: Platform, baseUrl = 'http://ota.heclouds.com'): HttpHandler[] {
  return [http.all(`${baseUrl.replace(/\/$/, '')}/*`, ({ request }) => platform.fetch(request))];
}
