import { connect } from 'node:net';

/** What an AIO-style client got back, and what it took to read it. */
export interface AioAnswer {
  status: number;
  /** Header lines in the order sent, names as sent. */
  headers: [string, string][];
  body: Buffer;
  /** Every byte of the answer, status line to the end of the body. */
  wireBytes: number;
}

/**
 * One request the way OneNET's official C SDK (cm-heclouds/OneNET_AIO_c, `protocols/http/http_api.c`) writes it:
 * a new TCP connection per request, `Name:value` headers with no space, `Host:` first and no `Connection`
 * header, the body's length as `Content-Length:` + `%7d` (space-padded to seven characters). It reads the answer
 * as that client does, case-sensitive header names, then hangs up itself.
 */
export function aioRequest(
  url: string,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  headers: [string, string][],
  body?: string,
): Promise<AioAnswer> {
  const { hostname, port } = new URL(url);
  const lines = [
    `${method} ${pathAndQuery} HTTP/1.1`,
    'Host:ota.heclouds.com',
    ...headers.map(([k, v]) => `${k}:${v}`),
  ];
  if (body !== undefined) lines.push(`Content-Length:${String(Buffer.byteLength(body)).padStart(7)}`);
  const request = `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (all: Buffer) => {
      if (done) return;
      done = true;
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const parsed = head.slice(1).map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon), line.slice(colon + 1).replace(/^ +/, '')] as [string, string];
      });
      const length = parsed.find(([name]) => name === 'Content-Length')?.[1];
      const bodyBytes = all.subarray(split + 4, length === undefined ? undefined : split + 4 + Number(length));
      resolve({
        status: Number(head[0]?.split(' ')[1]),
        headers: parsed,
        body: bodyBytes,
        wireBytes: split + 4 + bodyBytes.length,
      });
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split === -1) return;
      const length = /\r\nContent-Length:\s*(\d+)/.exec(all.subarray(0, split).toString('latin1'))?.[1];
      // Complete when the announced body is in; without a length, when the server closes.
      if (length !== undefined && all.length >= split + 4 + Number(length)) {
        socket.destroy();
        finish(all);
      }
    });
    socket.on('end', () => finish(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.write(request);
  });
}
