import { Errno, ExchangeName, type OperationId } from '@onenet-ota/openapi/protocol';
import { describeErrno } from '@onenet-ota/sdk';
import { isDeviceOperation } from './core/http/device-operation.ts';
import type { LoggedEntry, Tolerated } from './core/journal/journal.ts';
import { rangeRuleWords } from './core/journal/journal-range.ts';

// The request log `ota-mock` prints: one line per request as its answer completes, so an engineer with a board
// on the bench sees what it did without polling the journal. Device calls carry their essentials (the Range asked
// and the bytes served, the step or result code, the errno and what it means, the fault applied); management and
// control calls one short line each.

/** How {@link requestLine} writes. */
export interface RequestLineOptions {
  /** ANSI colours: for a terminal, not for a pipe or a file. */
  color?: boolean;
}

const paint = {
  dim: '\x1b[2m',
  green: '\x1b[32m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  reset: '\x1b[0m',
} as const;

/** One line for a completed journal entry. */
export function requestLine(entry: LoggedEntry, { color = false }: RequestLineOptions = {}): string {
  const tint = (text: string, tone: keyof typeof paint) => (color ? `${paint[tone]}${text}${paint.reset}` : text);
  const time = tint(entry.time.slice(11, 23), 'dim');
  const operation = entry.operation ?? '';
  if (entry.transport === 'mqtt') return `${time} ${mqttLine(entry, tint)}`;
  if (!isDeviceOperation(operation)) {
    const status = entry.response.status;
    // A request the platform could not read carries the reason, and the device it came from when the line said.
    const who = entry.operation === null && entry.devId !== undefined ? `dev ${entry.devId} ` : '';
    const why = entry.note ? ` — ${entry.note}` : '';
    return `${time} ${who}${entry.request.method} ${entry.request.path} → ${tint(String(status), status < 400 ? 'green' : 'red')}${why}`;
  }
  const parts = [`dev ${entry.devId ?? '?'}`.padEnd(14), operation.padEnd(16), ...essentials(entry)];
  if (entry.errno !== undefined) {
    const meaning = answerText(entry);
    parts.push(
      tint(`errno ${entry.errno}${meaning ? ` ${meaning}` : ''}`, entry.errno === Errno.Success ? 'green' : 'red'),
    );
  }
  if (entry.note) parts.push(`— ${entry.note}`);
  if (entry.tolerated) parts.push(tint(`[tolerated: ${entry.tolerated.map(toleratedText).join(', ')}]`, 'yellow'));
  if (entry.faults.length > 0) parts.push(tint(`[fault ${entry.faults.join(', ')}]`, 'yellow'));
  // Answered by the upstream through the recording proxy, not by this platform.
  if (entry.upstream) parts.push(tint(`⇄ ${entry.upstream}`, 'dim'));
  return `${time} ${parts.join(' ')}`;
}

/** What the platform served against OneNET's docs or HTTP, in a few words: `manuf missing`, or the message's gist. */
export function toleratedText({ pointer, message }: Tolerated): string {
  return pointer.startsWith('#/query/') ? `${pointer.slice('#/query/'.length)} missing` : (message.split(';')[0] ?? '');
}

/** An MQTT exchange: a CONNECT and its CONNACK code, an inform and its reply, a thing-model post and its answer. */
function mqttLine(entry: LoggedEntry, tint: (text: string, tone: keyof typeof paint) => string): string {
  const who = `dev ${entry.devId ?? entry.request.headers['client-id'] ?? '?'}`.padEnd(14);
  const { status } = entry.response;
  const outcome =
    entry.operation === ExchangeName.MqttConnect
      ? tint(`CONNACK ${status}`, status === 0 ? 'green' : 'red')
      : entry.operation === ExchangeName.ThingPost
        ? tint(`answered ${status}`, status === 200 ? 'green' : 'red')
        : status === 0
          ? tint('no reply', 'red')
          : tint(`reply ${status} in ${Math.round(entry.durationMs)} ms`, 'green');
  const what = entry.operation === ExchangeName.MqttConnect ? 'MQTT' : `MQTT ${entry.request.path}`;
  return [who, (entry.operation ?? '').padEnd(16), what, '→', outcome, ...(entry.note ? [`— ${entry.note}`] : [])].join(
    ' ',
  );
}

function essentials(entry: LoggedEntry): string[] {
  const { query, headers, body } = entry.request;
  const json = (body?.json ?? {}) as Record<string, unknown>;
  if (entry.operation?.startsWith('downloadPackage')) {
    const served = `${entry.response.status} ${entry.response.bytesSent} B`;
    // What the platform made of the Range, when it did not serve it as asked: the rule of its dialect.
    const words = rangeRuleWords(entry.range?.rule);
    const decided = words === undefined ? '' : ` (${words})`;
    return [`Range ${headers.range ?? '(none)'} → ${served}${entry.response.aborted ? ' (cut short)' : ''}${decided}`];
  }
  if (entry.operation?.startsWith('report')) {
    const code = json.step ?? query.step ?? query.result ?? json.f_version ?? json.s_version;
    return code === undefined
      ? []
      : [`${entry.operation.startsWith('reportVersion') ? 'version' : 'code'} ${String(code)}`];
  }
  if (entry.operation?.startsWith('checkTask')) return [`version ${query.version ?? '(none)'}`];
  return [];
}

// What an errno means, as the operation's errno table says (the envelope's `error` is that text); nothing for
// success.
function answerText(entry: LoggedEntry): string {
  if (entry.errno === undefined || entry.errno === Errno.Success) return '';
  return describeErrno(entry.errno, entry.operation as OperationId) ?? '';
}
