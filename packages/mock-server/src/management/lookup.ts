import type { Context } from '../core/context.ts';
import type { DeviceRecord, GroupRecord, PackageRecord, ProductRecord, TaskRecord } from '../core/domain/records.ts';
import { ProblemError } from '../core/http/responses.ts';

// Finders that answer 404 in the management API's terms when a resource, or its parent, does not exist.
// Each checks the product first, so a call site passes the path's productId as it came.

export function product(ctx: Context, productId: unknown): ProductRecord {
  const found = ctx.state.products.get(String(productId));
  if (!found) throw new ProblemError('NotFound', `product ${String(productId)} does not exist`);
  return found;
}

export function device(ctx: Context, productId: unknown, devId: unknown): DeviceRecord {
  return owned(ctx.state.devices.get(Number(devId)), 'device', devId, product(ctx, productId).id);
}

export function group(ctx: Context, productId: unknown, groupId: unknown): GroupRecord {
  return owned(ctx.state.groups.get(String(groupId)), 'group', groupId, product(ctx, productId).id);
}

export function packageOf(ctx: Context, productId: unknown, packageId: unknown): PackageRecord {
  return owned(ctx.state.packages.get(String(packageId)), 'package', packageId, product(ctx, productId).id);
}

export function task(ctx: Context, productId: unknown, taskId: unknown): TaskRecord {
  return owned(ctx.state.tasks.get(String(taskId)), 'task', taskId, product(ctx, productId).id);
}

// A record of another product is as absent as a missing one: ids do not leak across products.
function owned<T extends { productId: string }>(found: T | undefined, kind: string, id: unknown, productId: string): T {
  if (!found || found.productId !== productId) {
    throw new ProblemError('NotFound', `${kind} ${String(id)} does not exist in product ${productId}`);
  }
  return found;
}

/** Tasks that still use a package or diff: not started, running or paused. */
export function liveTasksUsing(ctx: Context, predicate: (t: TaskRecord) => boolean): TaskRecord[] {
  return [...ctx.state.tasks.values()].filter(
    (t) => ['not_started', 'running', 'paused'].includes(t.state) && predicate(t),
  );
}
