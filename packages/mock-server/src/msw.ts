/**
 * @module
 * The MSW door of the mock platform: `setupServer` for in-process tests in Node, `setupWorker` in a browser,
 * where the whole platform runs in the page behind MSW's service worker.
 */
import { type HttpHandler, http } from 'msw';
import type { Platform } from './core/machinery.ts';

/**
 * MSW handlers that forward every request under `baseUrl` to the platform.
 *
 * @example
 * const platform = createPlatform({ seed: 'demo' });
 * const server = setupServer(...handlers(platform));
 * server.listen({ onUnhandledFrame: 'error' });
 * // or, in a browser app under test (serve msw's mockServiceWorker.js at the root):
 * await setupWorker(...handlers(platform)).start();
 */
export function handlers(platform: Platform, baseUrl = 'http://ota.heclouds.com'): HttpHandler[] {
  return [http.all(`${baseUrl.replace(/\/$/, '')}/*`, ({ request }) => platform.fetch(request))];
}
