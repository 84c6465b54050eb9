import { defineRule } from '../../define-rule.ts';

export default defineRule({
  id: 'AUTH-003',
  title: 'Tokens the new platform is known to take',
  ref: '§1.5',
  level: 'SHOULD',
  generations: {
    only: ['fuse'],
    why: 'only the new platform has tokens the field is known to refuse where the docs are silent',
  },
  description:
    "The new platform's token rules are not published. Field reports say it refuses product-level tokens and an `et` more than 10 years ahead; device-level (2018-10-31 or 2022-05-01) and user-level tokens are taken. The platform refuses both by default (AUTH-001 then fails, naming the report); run with `--token-rules lenient` and it takes them, and this rule warns for each such token.",
  scenario: {},
  needs: ['checked'],
  check({ journal }) {
    const risky = journal.filter((e) => e.tolerated?.some((t) => t.pointer === '#/header/authorization'));
    const first = risky[0];
    if (!first) return [];
    const why = first.tolerated?.find((t) => t.pointer === '#/header/authorization')?.message ?? '';
    return [`${risky.length} request(s) carried such a token, first #${first.seq} ${first.operation}: ${why}`];
  },
});
