/**
 * What went wrong with a call, in one line a firmware engineer can act on. fetch says only "fetch failed" and puts
 * the reason in `cause` (a refused connection, a TLS certificate the device does not trust), so the cause is
 * spelled out: `fetch failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE unable to verify the first certificate`.
 */
export function failureText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (!(cause instanceof Error)) return text;
  const code = (cause as { code?: unknown }).code;
  const named = typeof code === 'string' && !cause.message.includes(code) ? `${code} ` : '';
  return `${text}: ${named}${cause.message}`;
}
