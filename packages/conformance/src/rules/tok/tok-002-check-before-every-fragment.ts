import { defineRule } from '../../define-rule.ts';
import { downloads, tokenChecks } from '../../evidence.ts';

export default defineRule({
  id: 'TOK-002',
  title: 'The token is checked before every fragment',
  ref: '§2.3',
  level: 'SHOULD',
  generations: { only: ['legacy'], why: 'Studio and the new platform have no upgrade token: the task id replaces it' },
  description:
    'The official SDK checks the token before each fragment ("下载每个分片前，都需要调用检查升级token接口"), so an expired, replaced or paused task is noticed between fragments.',
  scenario: {},
  needs: ['fragments'],
  check({ journal }) {
    const checks = tokenChecks(journal);
    const list = downloads(journal);
    return list.slice(1).flatMap((d, i) => {
      const previous = list[i]?.seq ?? 0;
      return checks.some((c) => c.seq > previous && c.seq < d.seq)
        ? []
        : [`#${d.seq} fragment ${d.range ?? ''} without a token check since #${previous}`];
    });
  },
});
