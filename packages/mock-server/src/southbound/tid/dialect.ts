import { FuseCode, type Generation, type SouthboundOperation, StudioCode } from '@onenet-ota/openapi/protocol';

/** The meanings a Studio or new-platform answer can carry, each a code of that generation's table. */
type Meaning =
  | 'Success'
  | 'AuthFailed'
  | 'BadRequest'
  | 'InternalError'
  | 'NoTask'
  | 'TaskFinished'
  | 'InvalidOperation'
  | 'TaskCanceled';

/**
 * What tells OneNET Studio (protocol §3) and the new platform (§4) apart for the platform: their operations and
 * their codes. Both name the device by product and name and the task by `tid`; the handlers are the same.
 */
export interface Dialect {
  generation: Exclude<Generation, 'legacy'>;
  op: Record<
    'reportVersion' | 'getVersion' | 'checkTask' | 'checkTaskStatus' | 'downloadPackage' | 'reportStatus',
    SouthboundOperation
  >;
  code: Record<Meaning, number>;
}

/** OneNET Studio: the `errno` envelope, 10 for no task (STUDIO-SDK). */
export const studio: Dialect = {
  generation: 'studio',
  op: {
    reportVersion: 'studioReportVersion',
    getVersion: 'studioGetVersion',
    checkTask: 'studioCheckTask',
    checkTaskStatus: 'studioCheckTaskStatus',
    downloadPackage: 'studioDownloadPackage',
    reportStatus: 'studioReportStatus',
  },
  code: StudioCode,
};

/** The new platform: the `{code, msg, request_id}` envelope, 12012 "not exist", 10403 "authentication failed". */
export const fuse: Dialect = {
  generation: 'fuse',
  op: {
    reportVersion: 'fuseReportVersion',
    getVersion: 'fuseGetVersion',
    checkTask: 'fuseCheckTask',
    checkTaskStatus: 'fuseCheckTaskStatus',
    downloadPackage: 'fuseDownloadPackage',
    reportStatus: 'fuseReportStatus',
  },
  code: { ...FuseCode, NoTask: FuseCode.NotExist },
};
