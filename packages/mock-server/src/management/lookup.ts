import type { Context } from '../core/context.ts';
import type { DeviceRecord, GroupRecord, PackageRecord, ProductRecord, TaskRecord } from '../core/records.ts';
import { ProblemError } from '../core/responses.ts';

// Finders that answer 404 in the management API's terms when a resource, or its parent, does not exist.

export function product(ctx: Context, productId: unknown): ProductRecord {
  const found = ctx.state.products.get(String(productId));
  if (!found) throw new ProblemError('NotFound', `product ${String(productId)} does not exist`);
  return found;
}

export function device(ctx: Context, productId: string, devId: unknown): DeviceRecord {
  const found = ctx.state.devices.get(Number(devId));
  if (!found || found.productId !== productId)
    throw new ProblemError('NotFound', `device ${String(devId)} does not exist in product ${productId}`);
  return found;
}

export function group(ctx: Context, productId: string, groupId: unknown): GroupRecord {
  const found = ctx.state.groups.get(String(groupId));
  if (!found || found.productId !== productId)
    throw new ProblemError('NotFound', `group ${String(groupId)} does not exist in product ${productId}`);
  return found;
}

export function packageOf(ctx: Context, productId: string, packageId: unknown): PackageRecord {
  const found = ctx.state.packages.get(String(packageId));
  if (!found || found.productId !== productId)
    throw new ProblemError('NotFound', `package ${String(packageId)} does not exist in product ${productId}`);
  return found;
}

export function task(ctx: Context, productId: string, taskId: unknown): TaskRecord {
  const found = ctx.state.tasks.get(String(taskId));
  if (!found || found.productId !== productId)
    throw new ProblemError('NotFound', `task ${String(taskId)} does not exist in product ${productId}`);
  return found;
}

/** Tasks that still use a package or diff: not started, running or paused. */
export function liveTasksUsing(ctx: Context, predicate: (t: TaskRecord) => boolean): TaskRecord[] {
  return [...ctx.state.tasks.values()].filter(
    (t) => ['not_started', 'running', 'paused'].includes(t.state) && predicate(t),
  );
}
