import { WholeAnswer } from './whole-answer.ts';
// Cross-origin access for a browser app under test (a device console, a web-based flasher): which origins may call
// the platform from a page, and the headers that let them. Loopback origins by default: a page served by a dev
// server on this machine works, while a web page from anywhere else cannot drive a platform that needs no admin
// token on loopback (read access keys, reset it) through the tester's own browser.

/** Origins allowed to call the platform from a browser: loopback ones, none, every one, or a list. */
export type CorsPolicy = 'loopback' | 'off' | '*' | string[];

const loopbackOrigin = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

/** Whether a page at `origin` may read the platform's answers. */
export function allowsOrigin(policy: CorsPolicy, origin: string | null): origin is string {
  if (!origin || policy === 'off') return false;
  if (policy === '*') return true;
  if (policy === 'loopback') return loopbackOrigin.test(origin);
  return policy.includes(origin);
}

/** The answer to a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin. */
export function preflight(origin: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
      // What devices and the SDK send: OneNET's token, JSON and raw bodies, ranged downloads.
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Range',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    },
  });
}

/** Lets a page at `origin` read `response`, including the headers a download and a create answer carry. */
export function withCors(response: Response, origin: string): Response {
  const headers = new Headers(response.headers);
  headers.set('Access-Control-Allow-Origin', origin);
  headers.set(
    'Access-Control-Expose-Headers',
    'Content-Range, Content-Length, Content-Disposition, Location, WWW-Authenticate',
  );
  headers.append('Vary', 'Origin');
  // An answer the adapter may write whole stays one, with the headers added.
  if (response instanceof WholeAnswer) return response.withHeaders(Object.fromEntries(headers));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
