import { type OperationId, operations } from '@onenet-ota/sdk';

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
  method: string;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
}

// Routes come from the spec (generated `operations`), most literal first, so `/tasks/{taskId}/devices` wins over
// `/tasks/{taskId}/{action}`.
const compiled: CompiledRoute[] = (Object.entries(operations) as [OperationId, { method: string; path: string }][])
  .map(([operationId, { method, path }]) => {
    const names: string[] = [];
    const source = path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return {
      operationId,
      method,
      pattern: new RegExp(`^${source}$`),
      names,
      literalSegments: path.split('/').filter((s) => s && !s.startsWith('{')).length,
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

// Looked up by method and path length instead of trying every pattern: a path without parameters by its text, the
// rest among the patterns with as many segments, in the order above (a device's check is the first candidate).
// Keyed by method, then by path text or segment count: no key string is built per request.
const staticRoutes = new Map<string, Map<string, CompiledRoute>>();
const patternRoutes = new Map<string, Map<number, CompiledRoute[]>>();
for (const candidate of compiled) {
  const path = (operations[candidate.operationId] as { path: string }).path;
  if (candidate.names.length === 0) {
    const byPath = staticRoutes.get(candidate.method) ?? new Map<string, CompiledRoute>();
    staticRoutes.set(candidate.method, byPath);
    if (!byPath.has(path)) byPath.set(path, candidate);
    continue;
  }
  const byLength = patternRoutes.get(candidate.method) ?? new Map<number, CompiledRoute[]>();
  patternRoutes.set(candidate.method, byLength);
  const count = segmentCount(path);
  byLength.set(count, [...(byLength.get(count) ?? []), candidate]);
}

function segmentCount(path: string): number {
  let count = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) count++;
  return count;
}

function exactRoute(method: string, pathname: string): Route | undefined {
  const fixed = staticRoutes.get(method)?.get(pathname);
  if (fixed) return found(fixed, {});
  for (const candidate of patternRoutes.get(method)?.get(segmentCount(pathname)) ?? []) {
    const match = candidate.pattern.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, i) => {
      params[name] = safeDecode(match[i + 1] ?? '');
    });
    return found(candidate, params);
  }
  return undefined;
}

function found(candidate: CompiledRoute, params: Record<string, string>): Route {
  const aliasOf = (operations[candidate.operationId] as { aliasOf?: OperationId }).aliasOf;
  return { operationId: candidate.operationId, canonical: aliasOf ?? candidate.operationId, params };
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
