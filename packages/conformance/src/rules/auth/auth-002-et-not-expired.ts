import type { JournalEntry } from '@onenet-ota/mock-server';
import { readToken } from '@onenet-ota/sdk';
import { defineRule } from '../../define-rule.ts';
import type { Evidence } from '../../types.ts';

export default defineRule({
  id: 'AUTH-002',
  title: "The token's et is not in the past",
  ref: '§1.1',
  level: 'MUST',
  description:
    "`et` (Unix seconds) must not be earlier than the platform's time, or the platform refuses the call. The platform's clock jumps past the upgrade token's 48 h lifetime mid-download, and the device's clock with it (libfaketime, `Date`, SNTP): a device that signs from its clock renews its token; one that keeps a short-lived token fails. Signing far ahead (OneNET's own SDK signs until 2050) passes too.",
  scenario: { triggers: [{ when: { downloads: 3 }, do: 'expire-token' }] },
  needs: ['scenario'],
  check(evidence) {
    const jump = evidence.fired.find((f) => f.action === 'expire-token')?.seq ?? 0;
    const signed = signedRequests(evidence.journal);
    if (!signed.some((s) => s.entry.seq > jump))
      return ['the device made no signed request after the clock moved 48 h'];
    const stale = signed.filter((s) => s.et < s.now);
    const first = stale[0];
    if (!first) return [];
    const { entry, et, now } = first;
    const count = stale.length === 1 ? '' : ` (and ${stale.length - 1} more signed requests)`;
    return [
      `#${entry.seq} ${entry.operation} sent et ${et}, ${now - et} s before the platform's time${count}: ${why(evidence, first, jump, signed)}`,
    ];
  },
});

interface Signed {
  entry: JournalEntry;
  et: number;
  /** Platform time of the request, Unix seconds. */
  now: number;
}

/** The device's requests that carry a readable token (no token, or not a token at all, is AUTH-001's business). */
function signedRequests(journal: JournalEntry[]): Signed[] {
  return journal.flatMap((entry) => {
    const token = readToken(entry.request.headers.authorization ?? '');
    return typeof token === 'string' ? [] : [{ entry, et: token.et, now: Math.floor(Date.parse(entry.time) / 1000) }];
  });
}

/**
 * Why the et was stale: a token kept from before the jump, or a clock that does not show platform time. From the
 * wire the two look alike when the device's clock did not jump with the platform's, so that case names both.
 */
function why(evidence: Evidence, stale: Signed, jump: number, signed: Signed[]): string {
  const signedAt = signed.find((s) => s.et === stale.et);
  const kept = stale.entry.seq > jump && (signedAt?.entry.seq ?? Infinity) <= jump;
  const { clock } = evidence;
  const farAhead = "or sign far ahead as OneNET's own SDK does (et 2050)";
  if (!clock.follows)
    return `its clock does not show platform time (${clock.how})${kept ? `, or it kept the token it sent at #${signedAt?.entry.seq}` : ''}; give it the platform's time (faketime, {platformTime}, SNTP with --ntp-port) and renew the token from it, ${farAhead}`;
  if (kept)
    return `the same token it sent at #${signedAt?.entry.seq}, before the clock moved 48 h at #${jump}, although its clock moved too (${clock.how}): it never renewed it. Sign a new token before et passes, ${farAhead}`;
  return `it signed this token after the jump, from a clock ${stale.now - stale.et} s or more behind the platform's although ${clock.how}; a statically linked device (Go, Rust with musl) is out of libfaketime's reach: set its clock from {platformTime} (OTA_PLATFORM_TIME) or SNTP (--ntp-port)`;
}
