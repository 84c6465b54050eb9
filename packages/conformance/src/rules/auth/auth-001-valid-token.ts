import { defineRule } from '../../define-rule.ts';
import { calls } from '../../evidence.ts';

const southbound = ['reportVersion', 'checkTask', 'checkToken', 'reportProgress', 'reportStatus', 'getTasking'];
const refusal =
  /Authorization|malformed token|token expired|signature|^version |^res |no (product|device) for res|token is for/;

export default defineRule({
  id: 'AUTH-001',
  title: 'Every request carries a valid token for this product or device',
  ref: '§1',
  level: 'MUST',
  description:
    'Each southbound call sends `Authorization: version=2018-10-31&res=…&et=…&method=…&sign=…`, signed with the product key (res products/{pid}) or the device key (res products/{pid}/devices/{name}), and the platform accepts it.',
  scenario: {},
  check({ journal }) {
    const missing = journal.filter(
      (e) => southbound.includes(e.operation?.replace(/Legacy$/, '') ?? '') && !e.request.headers.authorization,
    );
    const refused = journal.filter((e) => e.note && refusal.test(e.note));
    return [
      ...missing.map((e) => `#${e.seq} ${e.operation} has no Authorization header`),
      ...refused.map((e) => `#${e.seq} ${e.operation}: the platform refused the token (${e.note})`),
    ].concat(calls(journal, 'checkTask').length === 0 ? ['the device never checked for a task'] : []);
  },
});
