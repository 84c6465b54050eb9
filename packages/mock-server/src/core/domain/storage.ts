import type { Context } from '../context.ts';
import { ProblemError } from '../http/responses.ts';

/** Package and patch bytes stored now. */
export function storedBytes(ctx: Context): number {
  let total = 0;
  for (const pkg of ctx.state.packages.values()) total += pkg.size;
  for (const diff of ctx.state.diffs.values()) total += diff.size;
  return total;
}

/** Refuses (507) to store `size` more bytes past the platform's storage quota. */
export function assertRoomFor(ctx: Context, size: number): void {
  const used = storedBytes(ctx);
  if (used + size > ctx.settings.maxStorageBytes)
    throw new ProblemError(
      'StorageFull',
      `${size} more bytes would pass the storage quota of ${ctx.settings.maxStorageBytes} (${used} in use); delete packages first`,
    );
}
