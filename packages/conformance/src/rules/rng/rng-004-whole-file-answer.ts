import { defineRule, upgraded } from '../../define-rule.ts';

export default defineRule({
  id: 'RNG-004',
  title: 'A 200 to a Range request is the whole file, not the fragment',
  ref: '§2.4',
  level: 'MUST',
  description:
    'The platform answers the second fragment with 200 and the whole file ("如果头部Range不存在、或者Range没有按照如上规则上传，都视为返回所有数据"). The package is one fragment and 201 bytes, small enough for the whole answer to fit the buffer of a device that takes any 2xx body as its fragment. The device takes the bytes it asked for from it and installs the right image.',
  requires: ['image'],
  scenario: ({ fragmentSize }) => ({
    packageSize: fragmentSize + 201,
    faults: [{ match: { operation: 'downloadPackage', nth: 2 }, action: { kind: 'ignore-range' } }],
  }),
  needs: ['scenario', 'reported-success'],
  check: (evidence) => upgraded(evidence),
});
