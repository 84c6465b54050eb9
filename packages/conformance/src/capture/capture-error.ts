/** A capture that cannot be read or is not a recorded session: one line naming where it broke; the CLI exits 2. */
export class CaptureError extends Error {
  override name = 'CaptureError';
}
