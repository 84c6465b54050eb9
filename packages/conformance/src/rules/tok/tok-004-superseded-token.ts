import { TokenCheckErrno } from '@onenet-ota/openapi/protocol';
import { defineRule, downloadedWhole } from '../../define-rule.ts';
import { handsOverToken } from './token-handover.ts';

export default defineRule({
  id: 'TOK-004',
  title: 'On a replaced token, the device fetches the new one',
  ref: '§2.3',
  level: 'MUST',
  generations: { only: ['legacy'], why: 'Studio and the new platform have no upgrade token: the task id replaces it' },
  description:
    'When token check answers 15 ("不是最新获取的token"), another check issued a newer token; the device checks for the task again to get it ("可以重新检测一次任务，更新到最新的token").',
  scenario: { faults: [{ match: { operation: 'checkToken', nth: 3 }, action: { kind: 'rotate-token' } }] },
  needs: ['scenario'],
  check: (evidence) => [...handsOverToken(evidence, TokenCheckErrno.TokenSuperseded), ...downloadedWhole(evidence)],
});
