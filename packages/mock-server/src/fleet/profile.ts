import type { Random } from './random.ts';

/** One simulated device: who it is, its power and radio over time, its link, and how it behaves. */
export interface DeviceProfile {
  index: number;
  /** Bytes per `Range` request. */
  fragmentSize: number;
  /** Battery percent at the start, and how it changes per hour of platform time (negative drains). */
  battery: { start: number; perHour: number };
  /** Signal strength (the task's scale, e.g. CSQ 0–31): a base, a daily swing and its phase. */
  signal: { base: number; swing: number; phaseHours: number };
  /** Link: bytes per second of platform time, the chance a fragment's connection resets, and a first poll delay. */
  link: { bytesPerSecond: number; resetRate: number };
  /** First task check this long after the rollout starts, then every `pollEveryMs` until a task is found. */
  firstPollMs: number;
  pollEveryMs: number;
  /** The chance of a reboot during each fragment, and whether the download state survives it (in flash). */
  rebootRate: number;
  persistsState: boolean;
}

/** The shape of a fleet: what a preset says, for `N` devices. */
export interface FleetMix {
  fragmentSizes: readonly (readonly [number, number])[];
  /** Battery at the start [low, high), drain per hour [low, high). */
  battery: [number, number];
  drainPerHour: [number, number];
  signalBase: [number, number];
  signalSwing: [number, number];
  /** Link speed tiers (bytes per second, weight). */
  links: readonly (readonly [number, number])[];
  resetRate: [number, number];
  /** Devices check for tasks every this long; the first check is spread over it. */
  pollEveryMs: number;
  rebootRate: [number, number];
  /** Share of devices that keep their download state across a reboot. */
  persisting: number;
}

const hour = 3_600_000;

/**
 * Presets. `city`: NB-IoT and Cat-1 meters and sensors across a city: small fragments on slow links, batteries
 * from flat to full, a signal that swings through the day, a few flaky links and reboots, hourly polling.
 * `lab`: a bench of mains-powered boards on a good LAN, for a quick look.
 */
export const presets: Record<'city' | 'lab', { devices: number; mix: FleetMix }> = {
  city: {
    devices: 10_000,
    mix: {
      fragmentSizes: [
        [4096, 2],
        [16_384, 3],
        [65_536, 5],
      ],
      battery: [8, 100],
      drainPerHour: [-0.6, 0.2],
      signalBase: [6, 28],
      signalSwing: [0, 6],
      links: [
        [2_000, 2],
        [12_000, 5],
        [100_000, 3],
      ],
      resetRate: [0, 0.04],
      pollEveryMs: hour,
      rebootRate: [0, 0.004],
      persisting: 0.8,
    },
  },
  lab: {
    devices: 50,
    mix: {
      fragmentSizes: [[4096, 1]],
      battery: [100, 100],
      drainPerHour: [0, 0],
      signalBase: [31, 31],
      signalSwing: [0, 0],
      links: [[1_000_000, 1]],
      resetRate: [0, 0],
      pollEveryMs: 60_000,
      rebootRate: [0, 0],
      persisting: 1,
    },
  },
};

/** The device at `index`, drawn from the mix with the device's own random source. */
export function deviceProfile(index: number, mix: FleetMix, random: Random): DeviceProfile {
  const between = ([low, high]: [number, number]) => random.between(low, high);
  return {
    index,
    fragmentSize: random.pick(mix.fragmentSizes),
    battery: { start: Math.round(between(mix.battery)), perHour: between(mix.drainPerHour) },
    signal: { base: between(mix.signalBase), swing: between(mix.signalSwing), phaseHours: random.between(0, 24) },
    link: { bytesPerSecond: random.pick(mix.links), resetRate: between(mix.resetRate) },
    firstPollMs: Math.floor(random.between(0, mix.pollEveryMs)),
    pollEveryMs: mix.pollEveryMs,
    rebootRate: between(mix.rebootRate),
    persistsState: random.chance(mix.persisting),
  };
}

/** Battery percent at `hours` into the rollout: a straight line, clamped to 0–100. */
export function batteryAt(profile: DeviceProfile, hours: number): number {
  return Math.max(0, Math.min(100, Math.round(profile.battery.start + profile.battery.perHour * hours)));
}

/** Signal at `hours` into the rollout: a daily swing around the base, clamped to 0–31. */
export function signalAt(profile: DeviceProfile, hours: number): number {
  const { base, swing, phaseHours } = profile.signal;
  return Math.max(0, Math.min(31, Math.round(base + swing * Math.sin(((hours + phaseHours) / 24) * 2 * Math.PI))));
}
