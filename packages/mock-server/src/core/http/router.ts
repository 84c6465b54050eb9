import { type OperationId, operations } from '@onenet-ota/openapi/protocol';

/** A request matched to an operation of the spec. */
export interface Route {
  /** The operation the path names (an alias keeps its own id, for the journal). */
  operationId: OperationId;
  /** The operation that handles it: the alias's target, or the operation itself. */
  canonical: OperationId;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
}

interface CompiledRoute {
  operationId: OperationId;
  canonical: OperationId;
  method: string;
  path: string;
  /** The path's segments after the leading `/`: literal text, or `{ name }` for a parameter. */
  segments: (string | { name: string })[];
  hasParameters: boolean;
  literalSegments: number;
}

// Routes come from the spec (generated `operations`), most literal first, so `/tasks/{taskId}/devices` wins over
// `/tasks/{taskId}/{action}`.
const compiled: CompiledRoute[] = (
  Object.entries(operations) as [OperationId, { method: string; path: string; aliasOf?: OperationId }][]
)
  .map(([operationId, { method, path, aliasOf }]) => {
    const segments = path
      .slice(1)
      .split('/')
      .map((segment) => {
        if (/^\{\w+\}$/.test(segment)) return { name: segment.slice(1, -1) };
        // The matcher takes a parameter as a whole segment, as every path of the spec has it.
        if (segment.includes('{')) throw new Error(`${operationId}: a parameter must be a whole segment of ${path}`);
        return segment;
      });
    return {
      operationId,
      canonical: aliasOf ?? operationId,
      method,
      path,
      segments,
      hasParameters: segments.some((segment) => typeof segment !== 'string'),
      literalSegments: segments.filter((segment) => typeof segment === 'string').length,
    };
  })
  .sort((a, b) => b.literalSegments - a.literalSegments);

/**
 * Finds the operation for a method and path; undefined when the spec has none. One trailing slash is forgiven: the
 * official C SDK asks Studio for `…/{tid}/download/`.
 */
export function route(method: string, pathname: string): Route | undefined {
  const found = exactRoute(method, pathname);
  if (found || !pathname.endsWith('/') || pathname === '/') return found;
  return exactRoute(method, pathname.slice(0, -1));
}

// Looked up by method and segment count instead of trying every route: the candidates with as many segments, paths
// without parameters first (compared as text, no hashing of the path), then the patterns in the order above (a
// device's check is among the first). No key string is built per request.
const routesBy = new Map<string, Map<number, CompiledRoute[]>>();
for (const candidate of [...compiled].sort((a, b) => Number(a.hasParameters) - Number(b.hasParameters))) {
  const byLength = routesBy.get(candidate.method) ?? new Map<number, CompiledRoute[]>();
  routesBy.set(candidate.method, byLength);
  const count = segmentCount(candidate.path);
  byLength.set(count, [...(byLength.get(count) ?? []), candidate]);
}

function segmentCount(path: string): number {
  let count = 0;
  for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) count++;
  return count;
}

function exactRoute(method: string, pathname: string): Route | undefined {
  for (const candidate of routesBy.get(method)?.get(segmentCount(pathname)) ?? noCandidates) {
    if (!candidate.hasParameters) {
      if (pathname === candidate.path) return found(candidate, {});
      continue;
    }
    const params = matchSegments(candidate.segments, pathname);
    if (params) return found(candidate, params);
  }
  return undefined;
}

/**
 * The parameters of a path with as many segments as the pattern, or undefined when a literal segment differs or a
 * parameter is empty: segment by segment, with no regular expression and no split.
 */
function matchSegments(segments: CompiledRoute['segments'], pathname: string): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let at = 1;
  for (const segment of segments) {
    let next = pathname.indexOf('/', at);
    if (next === -1) next = pathname.length;
    if (typeof segment === 'string') {
      if (next - at !== segment.length || !pathname.startsWith(segment, at)) return undefined;
    } else {
      if (next === at) return undefined;
      params[segment.name] = safeDecode(pathname.slice(at, next));
    }
    at = next + 1;
  }
  return params;
}

const noCandidates: readonly CompiledRoute[] = [];

function found(candidate: CompiledRoute, params: Record<string, string>): Route {
  return { operationId: candidate.operationId, canonical: candidate.canonical, params };
}

function safeDecode(segment: string): string {
  // Tokens, ids and names are plain text: only a segment with an escape has anything to decode.
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The methods some operation answers on a path, for the `Allow` of a 405 (RFC 9110 §15.5.6): a known path asked with
 * another method, or a TRACE, is not a missing path. HEAD is not listed: only package downloads answer it.
 */
export function allowedMethods(pathname: string): string[] {
  return [...routesBy.keys()].filter((method) => route(method, pathname) !== undefined).sort();
}
