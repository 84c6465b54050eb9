import { TokenCheckErrno } from '@onenet-ota/openapi/protocol';
import { defineRule, downloadedWhole } from '../../define-rule.ts';
import { handsOverToken } from './token-handover.ts';

export default defineRule({
  id: 'TOK-003',
  title: 'After the token expires mid-download, the device checks for the task again',
  ref: '§2.3, §2.11',
  level: 'MUST',
  generations: { only: ['legacy'], why: 'Studio and the new platform have no upgrade token: the task id replaces it' },
  description:
    'An upgrade token lives 48 h. When token check answers 12 ("token过期，设备升级流程结束") the device ends this flow, stops using the old token and checks for the task again, which hands out a new one; the download then goes on.',
  scenario: { triggers: [{ when: { downloads: 3 }, do: 'expire-token' }] },
  needs: ['scenario'],
  check: (evidence) => [...handsOverToken(evidence, TokenCheckErrno.TokenExpired), ...downloadedWhole(evidence)],
});
