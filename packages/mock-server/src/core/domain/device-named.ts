import type { DeviceRecord, PlatformState } from './records.ts';

// Devices by product and name, for the generations that name them in the path. An entry is checked on use, so
// a renamed or deleted device is looked up again.
const byName = new WeakMap<PlatformState, Map<string, number>>();

/** The device called `name` in the product, or undefined. */
export function deviceNamed(state: PlatformState, productId: string, name: string): DeviceRecord | undefined {
  let index = byName.get(state);
  if (!index) {
    index = new Map();
    byName.set(state, index);
  }
  const key = `${productId}/${name}`;
  const known = state.devices.get(index.get(key) ?? 0);
  if (known && known.productId === productId && known.name === name) return known;
  for (const device of state.devices.values()) {
    if (device.productId !== productId || device.name !== name) continue;
    index.set(key, device.devId);
    return device;
  }
  return undefined;
}
