import { type Generation, ModuleType, patterns } from '@onenet-ota/openapi/protocol';

/**
 * Who the device under test is, as the user declares it (`--type`, `--manuf`, `--model`, `--version`,
 * `--fragment-size`): every case creates its product, package and task to match, so a FOTA module, an ESP32
 * application or any vendor code is judged as itself.
 */
export interface DeviceProfile {
  /** The OTA generation it speaks: legacy (`/ota/south`), studio or fuse (protocol §2–§4). */
  generation: Generation;
  /** 1 FOTA (module firmware) or 2 SOTA (MCU application). */
  type: ModuleType;
  /** Three-digit manufacturer and five-digit model code (protocol §2.2). */
  manuf: string;
  model: string;
  /** The version the device runs when a case starts. */
  version: string;
  /** The version every case's package upgrades it to. */
  target: string;
  /**
   * The device's fragment size, a hint: package sizes and fault positions are chosen from it so that every case
   * takes several fragments and its faults land mid-download.
   */
  fragmentSize: number;
}

/** A profile value the spec does not allow; the CLI prints it and exits 2. */
export class ProfileError extends Error {
  override name = 'ProfileError';
}

/**
 * The profile of a run: the defaults (an "other" SOTA MCU on V1.0 fetching 4 KiB fragments) with what the user
 * set, checked against the spec's patterns.
 *
 * @example
 * const profile = deviceProfile({ type: ModuleType.Fota, manuf: '014', model: '01401', version: 'BC28V1' });
 */
export function deviceProfile(given: Partial<Omit<DeviceProfile, 'target'>> = {}): DeviceProfile {
  const profile = {
    generation: given.generation ?? 'legacy',
    type: given.type ?? ModuleType.Sota,
    manuf: given.manuf ?? '100',
    model: given.model ?? '10001',
    version: given.version ?? 'V1.0',
    fragmentSize: given.fragmentSize ?? 4096,
  };
  const checks: [string, string, RegExp][] = [
    ['manuf', profile.manuf, patterns.ManufCode],
    ['model', profile.model, patterns.ModelCode],
    ['version', profile.version, patterns.DeviceVersion],
  ];
  for (const [name, value, pattern] of checks) {
    if (!pattern.test(value))
      throw new ProfileError(`--${name} ${JSON.stringify(value)} does not match ${pattern.source}`);
  }
  if (!Number.isInteger(profile.fragmentSize) || profile.fragmentSize < 2)
    throw new ProfileError(`--fragment-size must be an integer of at least 2, got ${profile.fragmentSize}`);
  // Any version other than the current one will do; a short one keeps within the 20 characters devices report.
  const target = profile.version === 'V2.0' ? 'V3.0' : 'V2.0';
  return { ...profile, target };
}
