import { defineRule } from '../../define-rule.ts';
import { downloads } from '../../evidence.ts';

export default defineRule({
  id: 'AUTH-001',
  title: 'Every request carries a valid token for this product or device',
  ref: '§1',
  level: 'MUST',
  description:
    'Each southbound call sends `Authorization: version=2018-10-31&res=…&et=…&method=…&sign=…`, signed with the product key (res products/{pid}) or the device key (res products/{pid}/devices/{name}), and the platform accepts it. Downloads may leave it out (the docs list none), but one that is sent must be valid.',
  scenario: {},
  needs: ['checked'],
  check({ journal }) {
    const downloadSeqs = new Set(downloads(journal).map((d) => d.seq));
    return [
      ...journal
        .filter((e) => !downloadSeqs.has(e.seq) && !e.request.headers.authorization)
        .map((e) => `#${e.seq} ${e.operation} has no Authorization header`),
      ...journal
        .filter((e) => e.auth === 'refused')
        .map((e) => `#${e.seq} ${e.operation}: the platform refused the token (${e.note ?? 'no reason given'})`),
    ];
  },
});
