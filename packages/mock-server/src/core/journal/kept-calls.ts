import { RangeRule } from '@onenet-ota/openapi/protocol';
import type { components } from '@onenet-ota/sdk';
import { HeldCall } from './call-record.ts';

type JournalEntry = components['schemas']['JournalEntry'];

// The journal keeps up to 100 000 answered calls. Held as objects (a HeldCall, its strings, its header record) they
// cost about 2.3 KB of resident memory each once V8's old generation has grown around them (+338 MiB over the idle
// server at 100 000 kept 64 KiB fragments, `bench/throughput.ts`), and the garbage collector marks every one of them
// again and again. A finished call is therefore packed into bytes: a fixed header of numbers (what a query filters
// on and what a body end completes) and the call's strings as one UTF-8 text, in chunks of 1 MiB the journal
// reuses oldest first. A call in the journal is then one small integer (where its record starts); it becomes an
// object again only when someone reads it.

/** Where a packed record starts: chunk slot × chunk size + offset in the chunk. */
export type PackedRef = number;

// The header of a record, in 8-byte words: seq, devId, time, wallTime, durationMs, bytesSent, errno (NaN for none),
// then two 32-bit pairs: status and operation index, flags and the text's length in bytes.
const headerWords = 9;
const headerBytes = headerWords * 8;

const aborted = 1;
const streamed = 2;
const redactJson = 4;
const authAccepted = 8;
const authRefused = 16;
/** The record is a whole entry as JSON (MQTT, push, restored from a store), not a call's parts. */
const wholeEntry = 32;
/** From this bit on, the Range rule of a download: its index in `RangeRule` plus one, 0 for none. */
const rangeRuleShift = 8;
const rangeRules = Object.values(RangeRule);

/** A call's parts are separated by NUL, which none can hold (HTTP forbids it in headers, URLs encode it). */
const separator = '\u0000';
const separatorByte = 0;
/** A part written as a pointer starts with U+0001, which none can hold either, then `start,length` in decimal. */
const pointerMark = 1;
/** Between the names and values of a header list. */
const lineFeedByte = 0x0a;
/** Between a pointer's start and its length. */
const commaByte = 0x2c;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What the journal tells its packed calls: which are still kept, and that the oldest are gone. */
export interface PackedOwner {
  /** The oldest seq the journal still keeps (it drops the oldest tenth past its entry limit). */
  firstSeq(): number;
  /** Every call up to `seq` is gone: its chunk is about to be reused. */
  dropThrough(seq: number): void;
}

/**
 * Finished calls as bytes, in chunks used one after another: a new chunk is opened while the byte budget allows
 * and the oldest one still holds calls the journal keeps; otherwise the oldest is reused.
 */
export class PackedCalls {
  readonly #chunkSize: number;
  readonly #slots: number;
  readonly #chunks: Uint8Array[] = [];
  readonly #words: Float64Array[] = [];
  readonly #pairs: Int32Array[] = [];
  /** The highest seq packed into each chunk slot (0 when none). */
  readonly #maxSeq: Float64Array;
  /** Chunk slots opened, oldest first; the last is the one written. */
  readonly #order: number[] = [];
  #slot = 0;
  #offset = 0;
  readonly #owner: PackedOwner;
  /**
   * The last call of each device written in the current chunk, with where its long parts start: a call that
   * repeats one (as a polling device repeats its URL, its Authorization, the answer it got) points at it instead.
   */
  readonly #last = new Map<number, LastCall>();
  /** Where the next byte of the call being packed goes (-1 once a part did not fit). */
  #cursor = 0;
  readonly #operations: string[] = [];
  readonly #operationIndex = new Map<string, number>();

  /** Holds at most `maxBytes` (at least two chunks). */
  constructor(maxBytes: number, owner: PackedOwner) {
    // 1 MiB chunks, smaller for a small journal so it still has several to reuse.
    this.#chunkSize = Math.max(64 * 1024, Math.min(1024 * 1024, 8 * Math.floor(maxBytes / 4 / 8)));
    this.#slots = Math.max(2, Math.floor(maxBytes / this.#chunkSize));
    this.#maxSeq = new Float64Array(this.#slots);
    this.#owner = owner;
    this.#open();
  }

  /** Packs a finished call or entry; undefined when it is larger than a chunk (the journal keeps it as it is). */
  pack(kept: HeldCall | JournalEntry): PackedRef | undefined {
    let written: number | undefined;
    if (kept instanceof HeldCall) {
      const answerHeaders = answerHeaderList(kept.responseHeaders);
      const faults = kept.faults.length === 0 ? '' : kept.faults.join('\n');
      const extra = extraText(kept);
      // A UTF-8 text is at most three bytes per UTF-16 unit: a call that might not fit a chunk is not tried.
      const most = kept.method.length + kept.href.length + partLength(kept.requestHeaders) + partLength(answerHeaders);
      const rest = faults.length + (kept.responseJson?.length ?? 0) + extra.length + 6;
      if (headerBytes + 3 * (most + rest) > this.#chunkSize) return undefined;
      written = this.#writeCall(kept, answerHeaders, faults, extra);
      if (written === undefined) {
        // Parts seen in the last chunk are not in the next one: written out again there.
        this.#nextChunk();
        written = this.#writeCall(kept, answerHeaders, faults, extra);
      }
    } else {
      const text = JSON.stringify(kept);
      if (headerBytes + 3 * text.length > this.#chunkSize) return undefined;
      written = this.#write(text);
      if (written === undefined) {
        this.#nextChunk();
        written = this.#write(text);
      }
    }
    if (written === undefined) return undefined;
    const slot = this.#slot;
    const start = this.#offset;
    const words = this.#words[slot] as Float64Array;
    const pairs = this.#pairs[slot] as Int32Array;
    const w = start >> 3;
    const p = start >> 2;
    words[w] = kept.seq;
    words[w + 1] = kept.devId ?? Number.NaN;
    pairs[p + 14] = this.#operationOf(kept.operation ?? null);
    pairs[p + 17] = written;
    if (kept instanceof HeldCall) {
      words[w + 2] = kept.time;
      words[w + 3] = kept.wallTime;
      words[w + 4] = kept.durationMs;
      words[w + 5] = kept.bytesSent;
      words[w + 6] = kept.errno ?? Number.NaN;
      pairs[p + 15] = kept.status;
      pairs[p + 16] =
        (kept.aborted ? aborted : 0) |
        (kept.streamed ? streamed : 0) |
        (kept.redactJson ? redactJson : 0) |
        (kept.auth === 'accepted' ? authAccepted : kept.auth === 'refused' ? authRefused : 0) |
        ((kept.rangeRule === undefined ? 0 : rangeRules.indexOf(kept.rangeRule) + 1) << rangeRuleShift);
    } else pairs[p + 16] = wholeEntry;
    if (kept.seq > (this.#maxSeq[slot] as number)) this.#maxSeq[slot] = kept.seq;
    // The next record starts at the next 8-byte boundary, so its numbers are aligned.
    this.#offset = start + ((headerBytes + written + 7) & ~7);
    return slot * this.#chunkSize + start;
  }

  /** Writes `text` after the header at the current offset; undefined when it does not fit in this chunk. */
  #write(text: string): number | undefined {
    const chunk = this.#chunks[this.#slot] as Uint8Array;
    const at = this.#offset + headerBytes;
    if (at > chunk.length) return undefined;
    const { read, written } = encoder.encodeInto(text, chunk.subarray(at));
    return read === text.length ? written : undefined;
  }

  /** Opens a new chunk and writes there. */
  #open(): void {
    const slot = this.#order.length;
    const chunk = new Uint8Array(this.#chunkSize);
    this.#chunks.push(chunk);
    this.#words.push(new Float64Array(chunk.buffer));
    this.#pairs.push(new Int32Array(chunk.buffer));
    this.#order.push(slot);
    this.#slot = slot;
    this.#offset = 0;
    this.#last.clear();
  }

  /**
   * Moves on to another chunk: the oldest when the journal keeps nothing in it or the budget is spent (the calls
   * it holds are then gone), a new one otherwise.
   */
  #nextChunk(): void {
    const oldest = this.#order[0] as number;
    const maxSeq = this.#maxSeq[oldest] as number;
    if (maxSeq >= this.#owner.firstSeq() && this.#order.length < this.#slots) {
      this.#open();
      return;
    }
    this.#order.push(this.#order.shift() as number);
    this.#slot = oldest;
    this.#offset = 0;
    this.#last.clear();
    this.#maxSeq[oldest] = 0;
    if (maxSeq > 0) this.#owner.dropThrough(maxSeq);
  }

  #operationOf(operation: string | null): number {
    if (operation === null) return -1;
    let index = this.#operationIndex.get(operation);
    if (index === undefined) {
      index = this.#operations.push(operation) - 1;
      this.#operationIndex.set(operation, index);
    }
    return index;
  }

  seqOf(ref: PackedRef): number {
    return (this.#words[this.#slotOf(ref)] as Float64Array)[(ref % this.#chunkSize) >> 3] as number;
  }

  /** The device of a packed call, undefined for none. */
  devIdOf(ref: PackedRef): number | undefined {
    const devId = (this.#words[this.#slotOf(ref)] as Float64Array)[((ref % this.#chunkSize) >> 3) + 1] as number;
    return Number.isNaN(devId) ? undefined : devId;
  }

  operationOf(ref: PackedRef): string | null {
    const index = (this.#pairs[this.#slotOf(ref)] as Int32Array)[((ref % this.#chunkSize) >> 2) + 14] as number;
    return index < 0 ? null : (this.#operations[index] as string);
  }

  /** The call or entry a record was packed from, as an object again. */
  unpack(ref: PackedRef): HeldCall | JournalEntry {
    const slot = this.#slotOf(ref);
    const start = ref % this.#chunkSize;
    const words = this.#words[slot] as Float64Array;
    const pairs = this.#pairs[slot] as Int32Array;
    const w = start >> 3;
    const p = start >> 2;
    const flags = pairs[p + 16] as number;
    const at = start + headerBytes;
    const text = decoder.decode((this.#chunks[slot] as Uint8Array).subarray(at, at + (pairs[p + 17] as number)));
    if (flags & wholeEntry) return JSON.parse(text) as JournalEntry;
    const [method, href, requestHeaders, responseHeaders, faults, json, extra] = text.split(separator) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const chunk = this.#chunks[slot] as Uint8Array;
    const headers = seenPart(chunk, responseHeaders);
    const call = new HeldCall({
      time: words[w + 2] as number,
      wallTime: words[w + 3] as number,
      operation: this.operationOf(ref),
      method,
      href: seenPart(chunk, href),
      requestHeaders: seenPart(chunk, requestHeaders),
      status: pairs[p + 15] as number,
      responseHeaders: headers === '' ? [] : headers.split('\n'),
      faults: faults === '' ? [] : faults.split('\n'),
    });
    call.seq = words[w] as number;
    call.devId = this.devIdOf(ref);
    call.durationMs = words[w + 4] as number;
    call.bytesSent = words[w + 5] as number;
    const errno = words[w + 6] as number;
    if (!Number.isNaN(errno)) call.errno = errno;
    call.aborted = (flags & aborted) !== 0;
    call.streamed = (flags & streamed) !== 0;
    call.redactJson = (flags & redactJson) !== 0;
    if (flags & authAccepted) call.auth = 'accepted';
    else if (flags & authRefused) call.auth = 'refused';
    const rule = flags >>> rangeRuleShift;
    if (rule > 0) call.rangeRule = rangeRules[rule - 1];
    if (json !== '') call.responseJson = seenPart(chunk, json);
    if (extra !== '') Object.assign(call, JSON.parse(extra) as Partial<HeldCall>);
    return call;
  }

  /**
   * Writes a call's strings after the header, straight into the chunk: its parts in a fixed order, NUL between them,
   * the rarely present ones as JSON at the end. A long part equal to the same part of the device's last call in this
   * chunk is written as a pointer to it: `\u0001` and where its bytes are. The bytes written, or undefined when they
   * do not fit. No text of the whole call is made: the parts are written where they go (a polling device's call is
   * mostly pointers, and its text was most of what packing allocated).
   */
  #writeCall(call: HeldCall, answerHeaders: Part, faults: string, extra: string): number | undefined {
    const chunk = this.#chunks[this.#slot] as Uint8Array;
    const start = this.#offset + headerBytes;
    const key = call.devId ?? 0;
    const last = this.#last.get(key);
    const json = call.responseJson ?? '';
    this.#cursor = put(chunk, start, call.method);
    this.#separate(chunk);
    const hrefAt = this.#longPart(chunk, call.href, last?.href, last?.hrefAt);
    const headersAt = this.#longPart(chunk, call.requestHeaders, last?.headers, last?.headersAt);
    const answerHeadersAt = this.#longPart(chunk, answerHeaders, last?.answerHeaders, last?.answerHeadersAt);
    if (this.#cursor >= 0) this.#cursor = put(chunk, this.#cursor, faults);
    this.#separate(chunk);
    const jsonAt = this.#longPart(chunk, json, last?.json, last?.jsonAt);
    if (this.#cursor >= 0) this.#cursor = put(chunk, this.#cursor, extra);
    if (this.#cursor < 0) return undefined;
    // The device's next call in this chunk may point at these parts.
    const href = call.href;
    const headers = call.requestHeaders;
    if (last) {
      last.href = href;
      last.hrefAt = hrefAt;
      last.headers = headers;
      last.headersAt = headersAt;
      last.answerHeaders = answerHeaders;
      last.answerHeadersAt = answerHeadersAt;
      last.json = json;
      last.jsonAt = jsonAt;
    } else this.#last.set(key, { href, hrefAt, headers, headersAt, answerHeaders, answerHeadersAt, json, jsonAt });
    return this.#cursor - start;
  }

  /**
   * Writes a long part and the separator after it, as itself or as a pointer to the same part of the device's last
   * call. Where its bytes are, for the next call to point at: -1 when it is short or not ASCII (a pointer counts
   * characters as bytes).
   */
  #longPart(chunk: Uint8Array, part: Part, lastPart: Part | undefined, lastAt: number | undefined): number {
    const at = this.#cursor;
    if (at < 0) return -1;
    let where = -1;
    const length = partLength(part);
    if (pointable(part, length, lastPart, lastAt)) {
      this.#cursor = putPointer(chunk, at, lastAt, length);
      where = lastAt;
    } else {
      this.#cursor = putPart(chunk, at, part);
      if (this.#cursor - at === length && length >= shortestPointed) where = at;
    }
    this.#separate(chunk);
    return where;
  }

  /** Writes the NUL between two parts at the cursor. */
  #separate(chunk: Uint8Array): void {
    if (this.#cursor < 0) return;
    if (this.#cursor >= chunk.length) this.#cursor = -1;
    else chunk[this.#cursor++] = separatorByte;
  }

  #slotOf(ref: PackedRef): number {
    return Math.floor(ref / this.#chunkSize);
  }
}

/**
 * Texts this long or longer are written by `TextEncoder.encodeInto`, shorter ones by a loop: the loop costs 2 ns a
 * character, the encoder 70 ns whatever the length up to a few hundred (micro-bench; even at 30).
 */
const encodedFrom = 32;

/** Parts shorter than this are written out every time. */
const shortestPointed = 24;

/** A device's last call in the current chunk: its long parts and where their bytes start (-1: not pointable). */
interface LastCall {
  href: string;
  hrefAt: number;
  headers: Part;
  headersAt: number;
  answerHeaders: Part;
  answerHeadersAt: number;
  json: string;
  jsonAt: number;
}

/**
 * A part of a call: a text, or a list of texts (a header list, names and values) packed joined by line feeds,
 * which no name or value holds. A list is written as it is: joining it first cost a string a call (perf).
 */
type Part = string | readonly string[];

/** Whether a part is written as a pointer: long, and the same as the device's last call's, whose bytes are known. */
function pointable(
  part: Part,
  length: number,
  lastPart: Part | undefined,
  lastAt: number | undefined,
): lastAt is number {
  return (
    lastAt !== undefined &&
    lastAt >= 0 &&
    length >= shortestPointed &&
    lastPart !== undefined &&
    samePart(part, lastPart)
  );
}

/** A part's length in characters, a list's line feeds included. */
function partLength(part: Part): number {
  if (typeof part === 'string') return part.length;
  let length = part.length === 0 ? 0 : part.length - 1;
  for (const text of part) length += text.length;
  return length;
}

/** Whether two parts pack to the same text (a list and a text never count as the same: one is written out). */
function samePart(a: Part, b: Part): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Writes a part at `at`, a list's texts with a line feed between. The end, or -1 when it does not fit. */
function putPart(chunk: Uint8Array, at: number, part: Part): number {
  if (typeof part === 'string') return put(chunk, at, part);
  let cursor = at;
  for (let i = 0; i < part.length && cursor >= 0; i++) {
    if (i > 0) {
      if (cursor >= chunk.length) return -1;
      chunk[cursor++] = lineFeedByte;
    }
    cursor = put(chunk, cursor, part[i] as string);
  }
  return cursor;
}

/**
 * Writes `text` at `at`: a short text a byte a character while it is ASCII (nearly every part), a long one or one
 * that is not ASCII through the encoder. The end, or -1 when it does not fit.
 */
function put(chunk: Uint8Array, at: number, text: string): number {
  const length = text.length;
  if (length < encodedFrom && at + length <= chunk.length) {
    let i = 0;
    for (; i < length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) break;
      chunk[at + i] = unit;
    }
    if (i === length) return at + length;
  }
  if (at > chunk.length) return -1;
  const { read, written } = encoder.encodeInto(text, chunk.subarray(at));
  return read === length ? at + written : -1;
}

/**
 * Writes a pointer at `at`: `\u0001`, then where the part starts and its length, in decimal with a comma between.
 * Two small integers, not one number of both: the digits of a number past 2^31 take a floating-point division
 * each, and three pointers a check cost half a microsecond (perf); a small integer's take a multiplication.
 * The end, or -1 when it does not fit.
 */
function putPointer(chunk: Uint8Array, at: number, start: number, length: number): number {
  if (at + 1 + decimalDigits(start) + 1 + decimalDigits(length) > chunk.length) return -1;
  chunk[at] = pointerMark;
  const comma = putDecimal(chunk, at + 1, start);
  chunk[comma] = commaByte;
  return putDecimal(chunk, comma + 1, length);
}

/** The number of decimal digits of a non-negative integer below 2^31. */
function decimalDigits(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
  return digits;
}

/** Writes a non-negative integer below 2^31 in decimal at `at`; returns the end. */
function putDecimal(chunk: Uint8Array, at: number, value: number): number {
  const end = at + decimalDigits(value);
  let rest = value;
  for (let i = end - 1; i >= at; i--) {
    const tenth = (rest / 10) | 0;
    chunk[i] = 0x30 + rest - tenth * 10;
    rest = tenth;
  }
  return end;
}

/** An answer's headers as a flat list, packed as `name\nvalue\n…`: the list it is, or the record's fields. */
function answerHeaderList(fields: HeldCall['responseHeaders']): readonly string[] {
  if (Array.isArray(fields)) return fields;
  const list: string[] = [];
  for (const name in fields) list.push(name, (fields as Record<string, string>)[name] as string);
  return list;
}

/** The parts a call rarely has, as JSON; empty when it has none. */
function extraText(call: HeldCall): string {
  const { note, tolerated, exception, requestBody, responseBody } = call;
  return note === undefined &&
    tolerated === undefined &&
    exception === undefined &&
    requestBody === undefined &&
    responseBody === undefined
    ? ''
    : JSON.stringify({ note, tolerated, exception, requestBody, responseBody });
}

/** A part as packed: itself, or the part its pointer names in the same chunk. */
function seenPart(chunk: Uint8Array, part: string): string {
  if (part.charCodeAt(0) !== pointerMark) return part;
  const comma = part.indexOf(',');
  const start = Number(part.slice(1, comma));
  return decoder.decode(chunk.subarray(start, start + Number(part.slice(comma + 1))));
}
