import type { Tolerated } from '../journal/journal.ts';

/**
 * The journal's `tolerated` note for a request whose request line and headers end with LF alone, which the node
 * door serves as OneNET's nginx front does (`line-endings.ts`, DECISIONS 71). `#/head` points at the request's
 * head, the part whose line endings are meant; the conformance suite reports the requests that carry it (REQ-002).
 */
export const bareLineFeedsTolerated = {
  pointer: '#/head',
  message:
    "its lines end with LF alone; HTTP requires CRLF (RFC 9112 §2.2). OneNET's nginx front reads them, a proxy or another server may not",
} as const satisfies Tolerated;
