import { type ErrnoTables, enumDescriptions, type OperationId, operations } from '@onenet-ota/openapi/protocol';

/** The name of an operation's errno schema in the spec, e.g. `CheckErrno`, or `FuseCode` on the new platform. */
export type ErrnoTable = keyof ErrnoTables;

/**
 * The meaning of an errno, from the spec. With an operation, the meaning in that operation's table (Studio's
 * `errno` and the new platform's `code` included); without, every distinct meaning the code has across the legacy
 * operations, joined by " / ". Undefined for an unknown code.
 *
 * @example
 * describeErrno(12); // 'token expired, the upgrade flow ends'
 * describeErrno(4, 'getTasking'); // 'no valid token: no task, or its token expired'
 */
export function describeErrno(errno: number, operationId?: OperationId): string | undefined {
  const tables = operationId
    ? [errnoTableOf(operationId)]
    : (Object.keys(enumDescriptions) as ErrnoTable[]).filter((name) => name.endsWith('Errno'));
  const meanings = new Set<string>();
  for (const table of tables) {
    if (!table) continue;
    const meaning = (enumDescriptions[table] as Record<string, string>)[String(errno)];
    if (meaning) meanings.add(meaning);
  }
  return meanings.size > 0 ? [...meanings].join(' / ') : undefined;
}

/**
 * The meaning of a step (0–100) or status code (101–107, 201–208).
 *
 * @example
 * describeResultCode(205); // 'upgrade failed, MD5 check failed (升级失败,MD5校验失败)'
 */
export function describeResultCode(code: number): string | undefined {
  if (Number.isInteger(code) && code >= 0 && code <= 100) return `download progress ${code} %`;
  return (enumDescriptions.ResultCode as Record<string, string>)[String(code)];
}

/**
 * The name of an operation's errno schema, e.g. `CheckErrno` for `checkTask`.
 *
 * @example
 * errnoTableOf('checkToken'); // 'TokenCheckErrno'
 */
export function errnoTableOf(operationId: OperationId): ErrnoTable | undefined {
  const route = operations[operationId] as { errno?: ErrnoTable };
  return route.errno;
}
