import { type JournalEntry, RecordedSession } from '@onenet-ota/mock-server';
import { CaptureError } from './capture-error.ts';

/** The parts of a HAR 1.2 entry a recorded session needs (the schema itself is checked before). */
interface HarEntry {
  startedDateTime: string;
  time: number;
  request: { method: string; url: string; headers: { name: string; value: string }[]; postData?: { text?: string } };
  response: {
    status: number;
    headers: { name: string; value: string }[];
    bodySize?: number;
    content: { size: number; text?: string; encoding?: string; mimeType?: string };
  };
}

/**
 * A HAR file's exchanges as journal entries, through the same {@link RecordedSession} the recording proxy uses, so
 * a capture from mitmproxy, Charles or a browser reads as ota-mock's own recording. Entries whose path is no
 * device path of OneNET's OTA APIs (a captured page, a CDN) are left out; the origin of the device calls is the
 * upstream.
 */
export function harToJournal(har: { log: { entries: HarEntry[] } }, file: string): JournalEntry[] {
  const entries = har.log.entries.filter((e) => /^\/+(ota|fuse-ota)\//.test(URL.parse(e.request.url)?.pathname ?? ''));
  const origin = URL.parse(entries[0]?.request.url ?? '')?.origin ?? 'unknown';
  const session = new RecordedSession(origin);
  return entries.map((e, i) => {
    const url = URL.parse(e.request.url);
    if (!url) throw new CaptureError(`${file}: log.entries[${i}].request.url is not a URL: ${e.request.url}`);
    const body = responseBody(e, file, i);
    const entry = session.entry({
      method: e.request.method.toUpperCase(),
      url,
      requestHeaders: e.request.headers.flatMap((h) => [h.name, h.value]),
      ...(e.request.postData?.text ? { requestBody: new TextEncoder().encode(e.request.postData.text) } : {}),
      status: e.response.status,
      responseHeaders: e.response.headers.flatMap((h) => [h.name, h.value]),
      ...(body ? { responseBody: body } : {}),
      bytesSent: body instanceof Uint8Array ? body.length : (body?.size ?? 0),
      time: new Date(e.startedDateTime).toISOString(),
      durationMs: Math.max(0, e.time),
    });
    return { seq: i + 1, ...entry };
  });
}

/** The answer's bytes: decoded from base64 or taken as text; only its size when the capture left the body out. */
function responseBody(e: HarEntry, file: string, i: number): Uint8Array | { size: number } | undefined {
  const { text, encoding, size } = e.response.content;
  if (text === undefined) return size > 0 ? { size } : undefined;
  if (encoding === undefined) return new TextEncoder().encode(text);
  if (encoding !== 'base64')
    throw new CaptureError(`${file}: log.entries[${i}].response.content.encoding ${encoding} is not base64`);
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
