import type { RangeRule } from '@onenet-ota/openapi/protocol';
import type { Context } from './context.ts';
import type { DeviceRecord } from './domain/records.ts';
import type { Fault } from './faults/registry.ts';
import type { BodyOutcome } from './http/answer-body.ts';
import type { Route } from './http/router.ts';
import type { Tolerated } from './journal/journal.ts';

/** The device a call authenticated as, or why it was refused, in words for the journal. */
export type DeviceAuth = { device: DeviceRecord } | { reason: string };

/** What the authenticate stage keeps on a call: the verdict, or what verifying threw. */
export type KeptAuth = DeviceAuth | { failure: unknown };

/** One request on its way through the platform, with what handlers learn about it for the journal. */
export interface Call {
  request: Request;
  url: URL;
  route: Route;
  /** The request body, read once by the platform (bounded by the upload limit). */
  body: Uint8Array;
  /** MD5 of a package or patch upload, computed as it streamed in. */
  bodyMd5?: string;
  /** Faults that fired for this request. */
  faults: Fault[];
  /** The device the request is about, once known (journal, fault matching). */
  devId?: number;
  /** The errno of a southbound answer, or the code of a one-byte download error (journal). */
  errno?: number;
  /** Package offset of the response body's first byte (so `corrupt` faults address package bytes). */
  bodyOffset?: number;
  /** The rule of the Range dialect that chose a download's bytes (spec `RangeRule`), journaled with the call. */
  rangeRule?: RangeRule;
  /** Why the request was refused, in words, for the journal (e.g. which part of the token failed). */
  note?: string;
  /** The device the call's token vouches for, or why it does not (the authenticate stage, for device operations). */
  deviceAuth?: KeptAuth;
  /** What the platform made of the `Authorization` token, where it judged one (journal). */
  auth?: 'accepted' | 'refused';
  /** What a handler threw: a platform bug, answered as the spec allows and kept for the journal. */
  exception?: string;
  /** What the platform served although OneNET's docs or HTTP say otherwise (journal). */
  tolerated?: Tolerated[];
  /** A HEAD served as its GET: the answer loses its body, and nothing is counted as served. */
  head?: boolean;
  /** Called, in order, when the response body has gone out (or was cut short). */
  onBodyEnd: ((outcome: BodyOutcome) => void)[];
}

/** Handles one operation. It never throws for bad input: it answers in the protocol's own terms. */
export type Handler = (call: Call, ctx: Context) => Response | Promise<Response>;

/** The text of the body, for JSON operations. */
export function bodyText(call: Call): string {
  return new TextDecoder().decode(call.body);
}

/** The body parsed as JSON, or undefined when it is not JSON. */
export function bodyJson(call: Call): unknown {
  try {
    return JSON.parse(bodyText(call));
  } catch {
    return undefined;
  }
}

/**
 * What reports the end of a call's answer to its listeners. It holds the listeners only, not the call: a door may
 * keep the answer's end until the turn's writes (node's turn-writes.ts), and the request, its URL and parameters
 * then die young instead of surviving the collector's scavenges by the dozen.
 */
export function endListeners(call: Call): (outcome: BodyOutcome) => void {
  const listeners = call.onBodyEnd;
  return (outcome) => {
    for (const listener of listeners) listener(outcome);
  };
}
