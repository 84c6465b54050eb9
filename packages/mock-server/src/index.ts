/**
 * @module
 * `@onenet-ota/mock-server`: a stateful mock OneNET OTA platform. The core is web-standard
 * (`fetch(Request) → Response`); `@onenet-ota/mock-server/msw` and `@onenet-ota/mock-server/node` are its doors.
 */

export type { DiffGenerator, PushFetch, Settings } from './core/context.ts';
export { builtinFormats, type DiffHow } from './core/domain/builtin-diffs.ts';
export type { Clock, ClockMode } from './core/domain/clock.ts';
export { ClockError, createClock } from './core/domain/clock.ts';
export type { DeviceMove, PlatformEvents } from './core/domain/events.ts';
export type { Collection, StateStore, StoreBatch, StoredPlatform } from './core/domain/persistence.ts';
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
} from './core/domain/records.ts';
export { demo, demoImage } from './core/domain/seed.ts';
export type { Fault, FaultAction, FaultCreate, FaultRegistry, FaultRule, FaultTarget } from './core/faults/registry.ts';
export type { CorsPolicy } from './core/http/cors.ts';
export type { RangeDecision, RangeDialect } from './core/http/range.ts';
export { decideRange } from './core/http/range.ts';
export { bareLineFeedsTolerated } from './core/http/wire-tolerance.ts';
export type { HeldCall, HeldParts } from './core/journal/call-record.ts';
export type { Journal, JournalEntry, JournalQuery, Kept, LogBrief, LoggedEntry } from './core/journal/journal.ts';
export { journalRange, rangeRuleWords } from './core/journal/journal-range.ts';
export type { FetchExtra, Platform, PlatformOptions } from './core/machinery.ts';
export { createPlatform } from './platform.ts';
export type { RequestLineOptions } from './request-log.ts';
export { requestLine } from './request-log.ts';
export type { RecordedBody, RecordedExchange } from './upstream/recorded-entry.ts';
export { RecordedSession } from './upstream/recorded-entry.ts';
