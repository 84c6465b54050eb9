import { TokenCheckErrno } from '@onenet-ota/openapi/protocol';
import { defineRule } from '../../define-rule.ts';
import { downloads, tokenChecks } from '../../evidence.ts';

export default defineRule({
  id: 'TOK-001',
  title: 'The token is checked before the first fragment',
  ref: '§2.3',
  level: 'MUST',
  generations: { only: ['legacy'], why: 'Studio and the new platform have no upgrade token: the task id replaces it' },
  description:
    'Before downloading with a token the device checks it (`GET /ota/south/download/{token}/check` answers 0). The check moves it to downloading; without it, status reports fail ("校验token的这个流程不要忽略，不然上报状态会失败").',
  scenario: {},
  needs: ['downloaded'],
  check({ journal }) {
    const checks = tokenChecks(journal);
    const firsts = new Map<string, number>();
    for (const d of downloads(journal)) if (!firsts.has(d.token)) firsts.set(d.token, d.seq);
    return [...firsts].flatMap(([token, seq]) =>
      checks.some((c) => c.token === token && c.errno === TokenCheckErrno.Success && c.seq < seq)
        ? []
        : [`#${seq} downloads with ${token} before any token check of it answered 0`],
    );
  },
});
