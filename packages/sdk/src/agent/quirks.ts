/**
 * Deliberate protocol mistakes the agent can make, one at a time, so the conformance suite can prove that each
 * of its rules catches the mistake it is about (a "mutant" device). Never use them on a real device.
 */
export type Quirk =
  /** Never calls token check. */
  | 'skip-token-check'
  /** Keeps downloading with a token the platform says expired (12). */
  | 'reuse-expired-token'
  /** After a failed fragment, starts the whole download again from byte 0. */
  | 'restart-from-zero'
  /** Accepts a 206 whatever its `Content-Range` says. */
  | 'ignore-content-range'
  /** Installs without comparing the image's md5. */
  | 'skip-md5'
  /** Reports 201 without having reported 101. */
  | 'skip-101'
  /** Reports one progress step lower than the one before. */
  | 'progress-down'
  /** Downloads whatever its battery and signal. */
  | 'ignore-thresholds'
  /** Retries at once and without limit (up to 50), ignoring `retry` and `interval`. */
  | 'ignore-retry-policy'
  /** Reports a failure (107) when the task is canceled. */
  | 'report-after-cancel';

/**
 * Every quirk, for command lines and test matrices.
 *
 * @example
 * for (const quirk of quirks) await runConformance({ device: agentDevice({ quirks: [quirk] }) });
 */
export const quirks: readonly Quirk[] = [
  'skip-token-check',
  'reuse-expired-token',
  'restart-from-zero',
  'ignore-content-range',
  'skip-md5',
  'skip-101',
  'progress-down',
  'ignore-thresholds',
  'ignore-retry-policy',
  'report-after-cancel',
];
