/**
 * @module
 * `@onenet-ota/mock-server`: a stateful mock OneNET OTA platform. The core is web-standard
 * (`fetch(Request) → Response`); `@onenet-ota/mock-server/msw` and `@onenet-ota/mock-server/node` are its doors.
 */

export { builtinFormats, type DiffHow } from './core/builtin-diffs.ts';
export type { Clock, ClockMode } from './core/clock.ts';
export { ClockError, createClock } from './core/clock.ts';
export type { DiffGenerator, PushFetch, Settings } from './core/context.ts';
export type { CorsPolicy } from './core/cors.ts';
export type { DeviceMove, PlatformEvents } from './core/events.ts';
export type { Fault, FaultAction, FaultCreate, FaultRegistry, FaultRule, FaultTarget } from './core/faults/registry.ts';
export type { HeldCall, HeldParts } from './core/held-call.ts';
export type { Journal, JournalEntry, JournalQuery, Kept, LogBrief, LoggedEntry } from './core/journal.ts';
export { journalRange } from './core/journal-range.ts';
export type { Collection, StateStore, StoreBatch, StoredPlatform } from './core/persistence.ts';
export type { FetchExtra, Platform, PlatformOptions } from './core/platform.ts';
export type { RangeDecision, RangeDialect } from './core/range.ts';
export { decideRange } from './core/range.ts';
export type {
  DeviceRecord,
  DeviceTaskRecord,
  DiffRecord,
  GroupRecord,
  JobRecord,
  PackageRecord,
  PlatformState,
  ProductRecord,
  StoredFile,
  TaskRecord,
  TokenRecord,
} from './core/records.ts';
export { demo, demoImage } from './core/seed.ts';
export { bareLineFeedsTolerated } from './core/wire-tolerance.ts';
export { createPlatform } from './platform.ts';
export type { RequestLineOptions } from './request-log.ts';
export { requestLine } from './request-log.ts';
export type { RecordedBody, RecordedExchange } from './upstream/recorded-entry.ts';
export { RecordedSession } from './upstream/recorded-entry.ts';
