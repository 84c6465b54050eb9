import { connect } from 'node:net';

/** A response as the bytes on the wire show it, for checks a fetch client would hide. */
export interface RawResponse {
  statusLine: string;
  /** Header lines as sent, names in their original case. */
  headers: [string, string][];
  body: Buffer;
  /** How the connection ended: closed by the server after the body, or reset. */
  ending: 'closed' | 'reset';
}

/**
 * Sends one HTTP/1.1 request over a plain TCP socket and reads until the server closes it, the way the
 * official C SDK's client does (`Connection: close`). Headers as a list go out as given: repeated, in any case, empty.
 */
export function rawRequest(
  url: string,
  path: string,
  headers: Record<string, string> | [string, string][] = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    'Connection: close',
    ...(Array.isArray(headers) ? headers : Object.entries(headers)).map(([k, v]) => `${k}: ${v}`),
  ];
  return rawExchange(url, `${lines.join('\r\n')}\r\n\r\n`);
}

/**
 * Writes `request` as it is (any version, any framing, several requests back to back) on a new TCP connection and
 * reads until the server closes it. The status line and headers are those of the first answer; `body` is everything
 * after them, later answers included.
 */
export function rawExchange(url: string, request: string | Uint8Array): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let ending: RawResponse['ending'] = 'closed';
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') ending = 'reset';
      else reject(error);
    });
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all
        .subarray(0, split === -1 ? all.length : split)
        .toString('latin1')
        .split('\r\n');
      resolve({
        statusLine: head[0] ?? '',
        headers: head.slice(1).map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
        }),
        body: split === -1 ? Buffer.alloc(0) : all.subarray(split + 4),
        ending,
      });
    });
    socket.write(request);
  });
}

export function header(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n === name)?.[1];
}
