import { defineRule } from '../../define-rule.ts';

export default defineRule({
  id: 'AUTH-002',
  title: "The token's et is not in the past",
  ref: '§1.1',
  level: 'MUST',
  description:
    "`et` (Unix seconds) must not be earlier than the platform's time, or the platform refuses the call; a long session renews its token before `et`.",
  scenario: { triggers: [{ when: { downloads: 3 }, do: 'expire-token' }] },
  check({ journal }) {
    return journal.flatMap((e) => {
      const et = Number(/(?:^|&)et=(\d+)/.exec(e.request.headers.authorization ?? '')?.[1]);
      if (!e.request.headers.authorization || Number.isNaN(et)) return [];
      const now = Math.floor(Date.parse(e.time) / 1000);
      return et < now ? [`#${e.seq} ${e.operation} sent et ${et}, ${now - et} s before the platform's time`] : [];
    });
  },
});
