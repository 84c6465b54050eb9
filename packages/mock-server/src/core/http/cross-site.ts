import { allowsOrigin, type CorsPolicy } from './cors.ts';
import { ProblemError } from './responses.ts';

// A platform on loopback needs no admin token, so any web page the tester opens could change it through their
// browser: a form or a `no-cors` fetch is sent cross-site without asking (issue 28: a page at evil.example reset
// the platform, created a product and paused a task). What a page cannot send without a CORS preflight, which only
// allowed origins pass, is what a state-changing management or control call must look like. Device calls are left
// alone: they are signed, and a page cannot read their answers.

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

// The content types a page may send cross-site without a preflight (the Fetch standard's CORS-safelisted ones).
const formTypes = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\s*(;|$)/i;

/**
 * Refuses a state-changing management or control request a web page of another site could have sent: one whose
 * `Origin` is neither this platform's own nor one `cors` allows (403), or whose body comes as a form or plain text
 * (415). Every browser sends `Origin` with a POST, PUT, PATCH or DELETE, so a request without one came from no
 * browser (curl, a script, the SDK) and needs nothing more than its method; a body is JSON or a file either way.
 */
export function crossSiteRefusal(request: Request, url: URL, cors: CorsPolicy): ProblemError | undefined {
  if (safeMethods.has(request.method)) return undefined;
  const origin = request.headers.get('origin');
  if (origin !== null && !isOwnOrigin(origin, url) && !allowsOrigin(cors, origin))
    return new ProblemError(
      'Forbidden',
      `a page at ${origin} may not change this platform: only its own pages (the console) and origins allowed by --cors may`,
    );
  const type = request.headers.get('content-type');
  if (type !== null && formTypes.test(type) && hasBody(request))
    return new ProblemError(
      'UnsupportedMediaType',
      `send the body as application/json, not ${type}: any web page can send a form or plain text to this platform, so it takes neither (curl: -H 'Content-Type: application/json')`,
    );
  return undefined;
}

/** Whether `origin` names the host the request was sent to (the console's own page). */
function isOwnOrigin(origin: string, url: URL): boolean {
  try {
    return new URL(origin).host === url.host;
  } catch {
    return false; // `null` (a sandboxed frame, a file) or garbage
  }
}

function hasBody(request: Request): boolean {
  const length = request.headers.get('content-length');
  return request.body !== null && (length === null || Number(length) > 0);
}
