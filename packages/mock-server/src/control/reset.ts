import type { components } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import { bodyText } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { seed } from '../core/domain/seed.ts';
import { jsonBody, reply } from '../management/input.ts';
import { toDevice, toPackage, toProduct, toTask } from '../management/serialize.ts';
import { moveClock } from './clock.ts';

type Schemas = components['schemas'];

/** Drops everything (state, faults, journal, snapshots) and seeds again; the clock stays unless given. */
export function resetPlatform(call: Call, ctx: Context): Response {
  const body = bodyText(call).trim() === '' ? {} : jsonBody<Schemas['ResetRequest']>(call, 'resetPlatform');
  // Checked before anything is dropped: a refused move leaves the platform as it was.
  if (body.clock) {
    const now = Date.parse(body.clock.now);
    moveClock(ctx, () => ctx.clock.set(now));
  }
  ctx.faults.clear();
  ctx.journal.clear();
  ctx.snapshots.clear();
  seed(ctx, body.seed ?? 'none');
  return reply(200, seedSummary(ctx));
}

/** What the platform holds after seeding: ready credentials for a device or `curl`. */
export function seedSummary(ctx: Context): Schemas['SeedSummary'] {
  const product = ctx.state.products.values().next().value;
  return {
    // The reset's answer is the ready credentials a tester asked for: keys included.
    ...(product ? { product: toProduct(product, true) } : {}),
    devices: [...ctx.state.devices.values()].map((d) => toDevice(ctx, d, true)),
    packages: [...ctx.state.packages.values()].map(toPackage),
    tasks: [...ctx.state.tasks.values()].map(toTask),
  };
}
