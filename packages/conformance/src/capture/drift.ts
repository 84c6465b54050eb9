import type { JournalEntry } from '@onenet-ota/mock-server';
import type { Generation } from '@onenet-ota/openapi/protocol';
import { canonical } from '../evidence.ts';
import { captureEvidence } from './capture-evidence.ts';
import type { Capture } from './read-capture.ts';
import { type Replayed, replay } from './replay.ts';

/** One way the upstream's answers differ from the mock's, over every call where it does. */
export interface Drift {
  /** What differs: `auth`, `status`, `errno`, `envelope`, `content-type`, `content-range`, `ota-errno`, `framing`, `error byte`. */
  aspect: string;
  /** The upstream's value and the mock's, as text. */
  recorded: string;
  mock: string;
  /** The calls where it differs: operation and `seq` in the capture. */
  calls: { seq: number; operation: string }[];
  /** The DECISIONS record or protocol fact the difference bears on: a capture can settle it. */
  bearsOn: string;
}

/**
 * Replays a recorded session against a fresh mock, seeded to what it shows, and lists where the upstream answered
 * otherwise: status, errno or code, the envelope's fields, `Content-Type`, `Content-Range`, `Ota-Errno`, how the
 * answer was framed (a length, chunks, or an end by closing) and the one-byte error. Values that differ by nature
 * (tokens, md5 of a package the mock cannot have, request ids, dates) are not compared.
 */
export async function drift(capture: Capture): Promise<{ generation: Generation; drifts: Drift[] }> {
  const evidence = captureEvidence(capture.entries);
  const { generation } = evidence.profile;
  const found = new Map<string, Drift>();
  for (const pair of await replay(evidence)) {
    for (const [aspect, recorded, mock] of differences(pair)) {
      const key = `${aspect}\u0000${recorded}\u0000${mock}`;
      const drift = found.get(key) ?? { aspect, recorded, mock, calls: [], bearsOn: bearsOn(aspect, generation, pair) };
      drift.calls.push({ seq: pair.recorded.seq, operation: pair.recorded.operation ?? '' });
      found.set(key, drift);
    }
  }
  return { generation, drifts: [...found.values()] };
}

function differences({ recorded, mock }: Replayed): [string, string, string][] {
  // A token taken by one and refused by the other is one difference, whatever else comes with it.
  if (recorded.auth !== mock.auth && recorded.auth !== undefined && mock.auth !== undefined)
    return [['auth', recorded.auth, mock.auth]];
  // Another status is one difference, whatever else comes with it (the body, its type, its range).
  if (recorded.response.status !== mock.response.status) return [['status', answer(recorded), answer(mock)]];
  const out: [string, string, string][] = [];
  const compare = (aspect: string, a: string, b: string) => {
    if (a !== b) out.push([aspect, a, b]);
  };
  compare('errno', String(recorded.errno ?? 'none'), String(mock.errno ?? 'none'));
  compare('envelope', fields(recorded), fields(mock));
  for (const name of ['content-type', 'content-range', 'ota-errno'])
    compare(name, recorded.response.headers[name] ?? 'none', mock.response.headers[name] ?? 'none');
  compare('framing', framing(recorded), framing(mock));
  if (isText(recorded) || isText(mock)) compare('error byte', text(recorded), text(mock));
  return out;
}

/** An answer in a few words: its status, type, range and errno. */
function answer(entry: JournalEntry): string {
  const { status, headers } = entry.response;
  const range = headers['content-range'] ? ` ${headers['content-range']}` : '';
  return `${status} ${headers['content-type'] ?? 'no Content-Type'}${range}${entry.errno === undefined ? '' : ` errno ${entry.errno}`}`;
}

/** The envelope's field names, and those of its `data`: what a device's parser looks for. */
function fields(entry: JournalEntry): string {
  const json = entry.response.body?.json;
  if (!json || typeof json !== 'object') return 'no JSON';
  const data = (json as { data?: unknown }).data;
  const nested =
    data && typeof data === 'object' && !Array.isArray(data)
      ? Object.keys(data)
          .sort()
          .map((k) => `data.${k}`)
      : [];
  return [...Object.keys(json).sort(), ...nested].join(', ');
}

function framing(entry: JournalEntry): string {
  const { headers } = entry.response;
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return 'chunked';
  return headers['content-length'] !== undefined ? 'Content-Length' : 'ended by closing';
}

const isText = (entry: JournalEntry) => (entry.response.headers['content-type'] ?? '').startsWith('text/plain');
const text = (entry: JournalEntry) => entry.response.body?.text ?? (isText(entry) ? '' : 'not text');

/** The record or fact a difference bears on, by what differs and where. */
function bearsOn(aspect: string, generation: Generation, { recorded }: Replayed): string {
  const operation = canonical(recorded.operation);
  const download = operation === 'downloadPackage';
  if (aspect === 'framing') return 'DECISIONS 74 (chunked answers), 10 (the one-byte error ends by closing)';
  if (aspect === 'error byte') return 'DECISIONS 10 (the one-byte error), protocol §7.5';
  if (aspect === 'content-type' && download && generation === 'fuse')
    return 'DECISIONS 80 (the new platform’s download)';
  if (download && (aspect === 'status' || aspect === 'content-range'))
    return generation === 'fuse'
      ? 'DECISIONS 80 (the new platform’s 416)'
      : 'DECISIONS 9 (Range dialect), 75, protocol §2.4';
  if (aspect === 'auth' || recorded.auth === 'refused')
    return generation === 'fuse'
      ? 'DECISIONS 82 (the new platform’s tokens), protocol §1.5'
      : 'DECISIONS 8, 57, protocol §1';
  if (generation === 'studio' && operation === 'reportStatus') return 'DECISIONS 83 (Studio’s 201), 58';
  if (generation !== 'legacy') return 'DECISIONS 58 (Studio and the new platform, inferred answers)';
  if (operation === 'reportProgress') return 'DECISIONS 5, 16 (progress errors), protocol §7.3';
  return 'DECISIONS 3 (errno tables), protocol §2';
}
