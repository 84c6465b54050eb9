import type { JournalEntry } from '@onenet-ota/mock-server';
import { CaptureError } from './capture-error.ts';
import type { Capture } from './read-capture.ts';

/**
 * The calls of one device in a capture, for a capture of several (a proxy that served a bench of boards): rules
 * judge one device's session, never several mixed. A device is its `dev_id` (legacy) or `pid/name` (Studio, the new
 * platform). Without `device`, a capture of one device is taken whole and one of several is refused, naming them.
 */
export function oneDevice(capture: Capture, device?: string): Capture {
  const named = new Map<string, JournalEntry[]>();
  for (const entry of capture.entries) {
    const who = deviceOf(entry);
    if (who !== undefined) named.set(who, [...(named.get(who) ?? []), entry]);
  }
  const devices = [...named.keys()];
  if (device === undefined) {
    if (devices.length <= 1) return capture;
    throw new CaptureError(
      `the capture holds ${devices.length} devices (${devices.join(', ')}): name one with --device`,
    );
  }
  if (!named.has(device))
    throw new CaptureError(
      `--device ${device} is not in the capture; it holds ${devices.join(', ') || 'no named device'}`,
    );
  return { ...capture, entries: capture.entries.filter((e) => deviceOf(e) === device) };
}

/** Who a call is from: its `dev_id`, or the product and device its Studio or new-platform path names. */
function deviceOf(entry: JournalEntry): string | undefined {
  if (entry.devId !== undefined) return String(entry.devId);
  const named = namedDevice(entry.request.path);
  return named && `${named.productId}/${named.deviceName}`;
}

/** The product and device a Studio (`/ota/{pro_id}/{dev_name}/…`) or new-platform (`/fuse-ota/…`) path names. */
export function namedDevice(path: string): { productId: string; deviceName: string } | undefined {
  const named = /^\/+(?:fuse-ota|ota)\/([^/]+)\/([^/]+)\//.exec(path);
  // The legacy API's own first segments are no product.
  if (!named || named[1] === 'south' || named[1] === 'device' || named[1] === 'download') return undefined;
  return { productId: named[1] ?? '', deviceName: decodeURIComponent(named[2] ?? '') };
}
