import type { TokenCheckErrno } from '@onenet-ota/openapi/protocol';
import { calls, codes, downloads, tokenChecks } from '../../evidence.ts';
import { preventedBy } from '../../prevented.ts';
import type { Evidence } from '../../types.ts';

/**
 * After the platform answered `errno` for a token, the device must not use that token again and must check for the
 * task again (to get a new one). Shared by TOK-003 (expired, 12) and TOK-004 (replaced, 15).
 */
export function handsOverToken(
  evidence: Evidence,
  errno: typeof TokenCheckErrno.TokenExpired | typeof TokenCheckErrno.TokenSuperseded,
): string[] {
  const { journal } = evidence;
  const refusal = tokenChecks(journal).find((c) => c.errno === errno);
  if (!refusal) return [`the scenario never made a token check answer ${errno}${preventedBy(evidence)}`];
  const usedAgain = [
    ...tokenChecks(journal).filter((c) => c.seq > refusal.seq && c.token === refusal.token),
    ...downloads(journal).filter((d) => d.seq > refusal.seq && d.token === refusal.token),
    ...codes(journal).filter((c) => c.seq > refusal.seq && c.token === refusal.token),
  ];
  const rechecked = calls(journal, 'checkTask').some((e) => e.seq > refusal.seq);
  return [
    ...usedAgain.map((u) => `#${u.seq} uses token ${refusal.token} again after #${refusal.seq} answered ${errno}`),
    ...(rechecked
      ? []
      : [`no task check after #${refusal.seq} answered ${errno}: the device never fetched a new token`]),
  ];
}
