import { completedDownload, defineRule } from '../../define-rule.ts';

export default defineRule({
  id: 'RNG-004',
  title: 'A 200 to a Range request is handled',
  ref: '§2.4',
  level: 'MUST',
  description:
    'The platform answers the second fragment with 200 and the whole file ("如果头部Range不存在、或者Range没有按照如上规则上传，都视为返回所有数据"). The device takes the bytes it needs from it and still upgrades.',
  scenario: { faults: [{ match: { operation: 'downloadPackage', nth: 2 }, action: { kind: 'ignore-range' } }] },
  check: (evidence) => [...completedDownload(evidence)],
});
