import { parseToken } from '@onenet-ota/sdk';
import { defineRule } from '../../define-rule.ts';

export default defineRule({
  id: 'AUTH-002',
  title: "The token's et is not in the past",
  ref: '§1.1',
  level: 'MUST',
  description:
    "`et` (Unix seconds) must not be earlier than the platform's time, or the platform refuses the call. The platform's clock jumps past the upgrade token's 48 h lifetime mid-download: a device must sign far enough ahead (OneNET's own SDK signs until 2050) or renew its token.",
  scenario: { triggers: [{ when: { downloads: 3 }, do: 'expire-token' }] },
  needs: ['scenario'],
  check({ journal, fired }) {
    const jump = fired.find((f) => f.action === 'expire-token')?.seq ?? 0;
    const after = journal.filter((e) => e.seq > jump && e.request.headers.authorization);
    if (after.length === 0) return ['the device made no signed request after the clock moved 48 h'];
    return journal.flatMap((e) => {
      let et: number;
      try {
        et = parseToken(e.request.headers.authorization ?? '').et;
      } catch {
        return []; // no token, or not a token at all: AUTH-001's business
      }
      const now = Math.floor(Date.parse(e.time) / 1000);
      return et < now ? [`#${e.seq} ${e.operation} sent et ${et}, ${now - et} s before the platform's time`] : [];
    });
  },
});
