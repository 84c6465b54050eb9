import type { JournalEntry } from '@onenet-ota/mock-server';
import { type Generation, type OperationId, operations } from '@onenet-ota/openapi/protocol';

/** The generation an operation of the device API belongs to, by its tag in the spec. */
function generationOf(entry: JournalEntry): Generation | undefined {
  const tag = entry.operation ? (operations[entry.operation as OperationId] as { tag: string } | undefined)?.tag : '';
  if (tag === 'device-studio') return 'studio';
  if (tag === 'device-fuse') return 'fuse';
  if (tag === 'device' || tag === 'device-legacy') return 'legacy';
  return undefined;
}

/**
 * When the device spoke another generation's API than the one it is judged in, the finding that says so, to stand
 * before any other: its faults and triggers aim at operations it never calls, so every other finding would mislead.
 */
export function otherGeneration(journal: JournalEntry[], judgedIn: Generation): string | undefined {
  const other = journal.find((e) => {
    const spoken = generationOf(e);
    return spoken !== undefined && spoken !== judgedIn;
  });
  if (!other) return undefined;
  const spoken = generationOf(other) as Generation;
  const count = journal.filter((e) => generationOf(e) === spoken).length;
  return `the device speaks another generation's API: ${count} of its requests went to ${spoken === 'legacy' ? "the legacy API's paths" : `${spoken}'s paths`}, first #${other.seq} ${other.request.method} ${other.request.path}; it is judged as ${judgedIn}: run with --generation ${spoken}`;
}
