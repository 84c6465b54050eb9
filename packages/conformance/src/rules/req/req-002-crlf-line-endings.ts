import { bareLineFeedsTolerated } from '@onenet-ota/mock-server';
import { defineRule } from '../../define-rule.ts';

export default defineRule({
  id: 'REQ-002',
  title: 'Request lines and headers end with CRLF',
  ref: 'RFC 9112 §2.2',
  level: 'SHOULD',
  description:
    "HTTP ends the request line and every header line with CRLF. OneNET's nginx front also reads lines ended by LF alone, so such a device works in the field and this platform serves it too; but a proxy, a load balancer, a module's HTTP stack or another server in between may refuse them.",
  scenario: {},
  needs: ['checked'],
  check({ journal }) {
    const bare = journal.filter((entry) => entry.tolerated?.some((t) => t.pointer === bareLineFeedsTolerated.pointer));
    const first = bare[0];
    if (!first) return [];
    return [
      `${bare.length} of its ${journal.length} request(s) end their lines with LF alone, first #${first.seq} (${first.request.method} ${first.request.path}); write "\\r\\n" after the request line and after each header`,
    ];
  },
});
