/**
 * @module
 * `@onenet-ota/sdk`: typed clients for OneNET OTA, the `Authorization` token signer, and the errno, status-code
 * and state tables of the spec. Browser-safe: nothing here imports Node.
 */

export type { ErrnoOf, ErrnoTables, OperationId, SouthboundOperation } from '@onenet-ota/openapi/protocol';
export {
  bounds,
  CheckErrno,
  DevInfoErrno,
  DeviceTaskState,
  DiffFormat,
  DownloadErrorCode,
  Errno,
  ExchangeName,
  enumDescriptions,
  FuseCode,
  Generation,
  Module,
  ModuleType,
  mqttOta,
  OtaErrnoCode,
  OtaPushType,
  operations,
  PackageKind,
  ProblemType,
  ProgressErrno,
  patterns,
  problemStatus,
  RangeRule,
  ReportErrno,
  ResultCode,
  StudioCode,
  stateMachine,
  TaskAction,
  TaskingErrno,
  TaskState,
  ThingReplyCode,
  TidTaskStatus,
  TokenCheckErrno,
  tokenRules,
  VersionQueryErrno,
  VersionReportErrno,
} from '@onenet-ota/openapi/protocol';
export type { InstallFailureCode } from './agent/install-error.ts';
/* The reference device agent */
export { InstallError } from './agent/install-error.ts';
export type { OtaAgentOptions, UpgradeOutcome, UpgradeResult } from './agent/options.ts';
export { OtaAgent } from './agent/ota-agent.ts';
export type { AgentStore, DownloadState } from './agent/store.ts';
export { MemoryStore } from './agent/store.ts';
export { vcdiffRestore } from './agent/vcdiff-restore.ts';
export { verifyMd5 } from './agent/verify-md5.ts';
export type { ParsedToken } from './auth/parse-token.ts';
/* Authorization tokens */
export { parseToken, readToken, TokenFormatError } from './auth/parse-token.ts';
export type { TokenParams } from './auth/token.ts';
export {
  computeSign,
  deviceResource,
  encodeTokenValue,
  productResource,
  signToken,
  tokenVersion,
  userResource,
} from './auth/token.ts';
export type { TokenSource, TokenSourceOptions } from './auth/token-source.ts';
export { createTokenSource } from './auth/token-source.ts';
export type { TokenSubject, TokenVerdict, VerifyOptions } from './auth/verify-token.ts';
export { verifyToken } from './auth/verify-token.ts';
export type {
  DeviceClient,
  DeviceClientOptions,
  FetchLike,
  GenerationPaths,
  ManagementClientOptions,
  OneNetClient,
} from './clients.ts';
/* Clients */
export { createDeviceClient, createManagementClient } from './clients.ts';
/* Hashing */
export type { SignMethod } from './crypto/hmac.ts';
export { Md5, md5Hex } from './crypto/md5.ts';
export type { ImageSource } from './diff/image-source.ts';
/* Differential packages (VCDIFF, RFC 3284) */
export { memorySource } from './diff/image-source.ts';
export { PatchError } from './diff/varint.ts';
export { restoreVcdiff } from './diff/vcdiff-decode.ts';
export type { ErrnoTable } from './errno.ts';
/* Codes and states, generated from the spec */
export { describeErrno, describeResultCode, errnoTableOf } from './errno.ts';
export type { components, operations as OperationTypes, paths } from './generated/openapi.ts';
export { informTopics, thingPostTopics } from './mqtt-topics.ts';
export type { UploadPackageQuery, UploadPackageResult } from './upload-package.ts';
export { uploadPackage } from './upload-package.ts';
export type { ContentRange, RangeBounds } from './wire/byte-ranges.ts';
export { contentRange, parsedBounds, plainBounds, rangeBounds } from './wire/byte-ranges.ts';
export { isMediaType, mediaType } from './wire/media-type.ts';
