import { ExchangeName, mqttOta } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import type { Journal, JournalEntry } from '../core/journal/journal.ts';
import { summarizeBody } from '../core/journal/journal.ts';
import { publishEntry } from './publish-entry.ts';

type OtaInform = components['schemas']['OtaInform'];

/** One inform waiting for its reply: the journal entry that will hold the reply. */
interface Waiting {
  id: string;
  entry: JournalEntry;
  sentAt: number;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The informs sent and their replies. Each inform is one journal entry (`transport: mqtt`, operation `otaInform`):
 * the platform's PUBLISH as its request, the device's reply as its response, completed when the reply comes or
 * when `replyWithinMs` has passed without one.
 */
export class Informs {
  readonly #journal: Journal;
  readonly #replyWithinMs: number;
  readonly #now: () => number;
  readonly #waiting = new Map<string, Waiting>();
  #nextId = 1;

  constructor(journal: Journal, now: () => number, replyWithinMs = mqttOta.replyWithinSeconds * 1000) {
    this.#journal = journal;
    this.#now = now;
    this.#replyWithinMs = replyWithinMs;
  }

  /**
   * Journals an inform to a device and returns the message to publish; `through` is the subscription that delivers
   * it (the topic itself or a wildcard), undefined when none does (QoS 0: OneNET keeps nothing for it, and neither
   * does the mock).
   */
  send(devId: number, topic: string, tid: number, through: string | undefined): Uint8Array {
    const message: OtaInform = { id: String(this.#nextId++), version: '1.0', params: [String(tid)] };
    const bytes = new TextEncoder().encode(JSON.stringify(message));
    const entry = this.#journal.add(publishEntry(this.#now(), devId, ExchangeName.OtaInform, topic, bytes));
    if (!through) {
      entry.note = `not delivered: no subscription of the device matches ${topic} (QoS 0, nothing is kept for it)`;
      this.#journal.complete(entry);
      return bytes;
    }
    if (through !== topic) entry.note = `delivered through the subscription to ${through}`;
    const sentAt = performance.now();
    const timer = setTimeout(() => {
      this.#waiting.delete(message.id);
      entry.durationMs = performance.now() - sentAt;
      const late = `no reply on ota/inform_reply within ${this.#replyWithinMs / 1000} s`;
      entry.note = entry.note ? `${entry.note}; ${late}` : late;
      this.#journal.complete(entry);
    }, this.#replyWithinMs);
    timer.unref?.();
    this.#waiting.set(message.id, { id: message.id, entry, sentAt, timer });
    return bytes;
  }

  /** Records a device's reply; a reply to no inform of this device is journaled as a note on nothing. */
  reply(devId: number, payload: Uint8Array): void {
    const text = new TextDecoder().decode(payload);
    let parsed: { id?: unknown; code?: unknown } | undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const id = parsed && typeof parsed === 'object' ? String(parsed.id) : undefined;
    const waiting = id === undefined ? undefined : this.#waiting.get(id);
    // A reply that names no inform still answers the device's latest one: record it there, with what is wrong.
    const target = waiting ?? this.#latestFor(devId);
    if (!target) return;
    clearTimeout(target.timer);
    this.#waiting.delete(target.id);
    const { entry } = target;
    entry.durationMs = performance.now() - target.sentAt;
    entry.response = {
      status: typeof parsed?.code === 'number' && Number.isInteger(parsed.code) ? parsed.code : 0,
      headers: {},
      bytesSent: 0,
      body: summarizeBody(payload, 'application/json'),
    };
    const problem = !waiting
      ? `the reply does not carry this inform's id (${id ?? 'no JSON'})`
      : entry.response.status === 0 && typeof parsed?.code !== 'number'
        ? 'the reply has no numeric code'
        : undefined;
    if (problem) entry.note = entry.note ? `${entry.note}; ${problem}` : problem;
    this.#journal.complete(entry);
  }

  #latestFor(devId: number): Waiting | undefined {
    let latest: Waiting | undefined;
    for (const waiting of this.#waiting.values()) if (waiting.entry.devId === devId) latest = waiting;
    return latest;
  }

  /** Stops waiting for every reply (the broker is closing); the entries stay as they are. */
  close(): void {
    for (const waiting of this.#waiting.values()) clearTimeout(waiting.timer);
    this.#waiting.clear();
  }
}
