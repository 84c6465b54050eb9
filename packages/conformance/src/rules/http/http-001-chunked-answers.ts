import { defineRule, upgraded } from '../../define-rule.ts';

export default defineRule({
  id: 'HTTP-001',
  title: 'Answers framed in chunks are read',
  ref: '§4.4',
  level: 'SHOULD',
  description:
    'Every JSON answer comes with `Transfer-Encoding: chunked` and no Content-Length, as a service behind nginx answers when it does not count its body; chunked answers from OneNET are seen in the field. The device must read them as the JSON they carry and upgrade as usual. Package fragments keep their Content-Length.',
  scenario: { faults: [{ match: {}, action: { kind: 'chunked' }, times: null }] },
  needs: ['scenario', 'checked'],
  check: upgraded,
});
