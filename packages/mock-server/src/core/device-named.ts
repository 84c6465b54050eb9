import type { Context } from './context.ts';
import type { DeviceRecord } from './records.ts';

// Devices by product and name, for the generations that name them in the path. An entry is checked on use, so
// a renamed or deleted device is looked up again.
const byName = new WeakMap<Context, Map<string, number>>();

/** The device called `name` in the product, or undefined. */
export function deviceNamed(ctx: Context, productId: string, name: string): DeviceRecord | undefined {
  let index = byName.get(ctx);
  if (!index) {
    index = new Map();
    byName.set(ctx, index);
  }
  const key = `${productId}/${name}`;
  const known = ctx.state.devices.get(index.get(key) ?? 0);
  if (known && known.productId === productId && known.name === name) return known;
  for (const device of ctx.state.devices.values()) {
    if (device.productId !== productId || device.name !== name) continue;
    index.set(key, device.devId);
    return device;
  }
  return undefined;
}
