import type { JournalEntry } from '@onenet-ota/mock-server';
import { CheckErrno, type Generation, ModuleType, type OperationId, operations } from '@onenet-ota/openapi/protocol';
import { rangeBounds } from '@onenet-ota/sdk';
import { canonical } from '../evidence.ts';
import type { DeviceProfile } from '../profile.ts';
import type { Evidence } from '../types.ts';

/**
 * The evidence a recorded session holds, in the shape a live case's has, so the rules judge it the same way: the
 * device's calls and strays, and what the task's first answer told the device (the file, its strategy). What only
 * the live platform knows is absent: no faults, no triggers, no final status, no installed image.
 */
export function captureEvidence(entries: readonly JournalEntry[]): Evidence {
  const journal = entries.filter((e) => e.operation !== null);
  const strays = entries.filter((e) => e.operation === null);
  const found = journal.find((e) => canonical(e.operation) === 'checkTask' && e.errno === CheckErrno.Success);
  const data = ((found?.response.body?.json as { data?: Record<string, unknown> } | undefined)?.data ?? {}) as {
    target?: string;
    size?: number;
    md5?: string;
    signal?: number;
    power?: number;
    retry?: number;
    interval?: number;
  };
  const file = { size: data.size ?? 0, md5: data.md5 ?? '', target: data.target ?? '' };
  const retry = data.retry ?? 0;
  return {
    journal,
    ...(strays.length === 0 ? {} : { strays }),
    status: undefined,
    file,
    image: { size: file.size, md5: file.md5 },
    strategy: {
      signal: data.signal ?? 0,
      power: data.power ?? 0,
      retry: retry > 0 ? { mode: 'retry', count: retry, intervalSeconds: data.interval ?? 0 } : { mode: 'none' },
      start: { mode: 'manual' },
    },
    faults: [],
    fired: [],
    pending: [],
    profile: captureProfile(journal, found, file.target),
    clock: { follows: false, how: 'recorded: the device ran on its own clock, against the upstream' },
  };
}

/** Who the recorded device was: its generation from the paths it called, its type and version from its check. */
function captureProfile(journal: JournalEntry[], found: JournalEntry | undefined, target: string): DeviceProfile {
  const first = journal[0]?.operation as OperationId | undefined;
  const tag = first ? (operations[first] as { tag: string }).tag : 'device';
  const generation: Generation = tag === 'device-fuse' ? 'fuse' : tag === 'device-studio' ? 'studio' : 'legacy';
  const check = found ?? journal.find((e) => canonical(e.operation) === 'checkTask');
  const query = check?.request.query ?? {};
  const asked = journal
    .filter((e) => canonical(e.operation) === 'downloadPackage')
    .map((e) => rangeBounds(e.request.headers.range ?? ''))
    .flatMap((b) => (b?.first !== undefined && b.last !== undefined ? [b.last - b.first + 1] : []));
  return {
    generation,
    type: query.type === '1' ? ModuleType.Fota : ModuleType.Sota,
    manuf: query.manuf ?? '',
    model: query.model ?? '',
    version: query.version ?? '',
    target,
    fragmentSize: asked.length > 0 ? Math.max(...asked) : 0,
  };
}
