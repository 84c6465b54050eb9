import { getConsole, getConsoleScript } from './console/page.ts';
import * as clock from './control/clock.ts';
import { streamEvents } from './control/events.ts';
import * as faults from './control/faults.ts';
import * as journal from './control/journal.ts';
import * as reset from './control/reset.ts';
import * as snapshots from './control/snapshots.ts';
import type { Handlers } from './core/machinery.ts';
import { getAccount } from './management/account.ts';
import * as devices from './management/devices.ts';
import * as diffs from './management/diffs.ts';
import * as groups from './management/groups.ts';
import * as jobs from './management/jobs.ts';
import * as packages from './management/packages.ts';
import * as products from './management/products.ts';
import * as taskStatus from './management/task-status.ts';
import * as tasks from './management/tasks.ts';
import { checkTask } from './southbound/check-task.ts';
import { checkToken } from './southbound/check-token.ts';
import { downloadPackage } from './southbound/download-package.ts';
import { getDeviceId } from './southbound/get-device-id.ts';
import { getTasking } from './southbound/get-tasking.ts';
import { getVersion } from './southbound/get-version.ts';
import { reportProgress, reportStatus } from './southbound/report-code.ts';
import { reportVersion } from './southbound/report-version.ts';
import { checkTaskVia } from './southbound/tid/check-task.ts';
import { fuse, studio } from './southbound/tid/dialect.ts';
import { downloadVia } from './southbound/tid/download.ts';
import { reportStatusVia } from './southbound/tid/report-status.ts';
import { checkTaskStatusVia } from './southbound/tid/task-status.ts';
import { getVersionVia, reportVersionVia } from './southbound/tid/version.ts';

/**
 * One handler per canonical operation of the spec. The type makes a missing handler a compile error, so the
 * platform serves every operation the spec defines (aliases route to their canonical operation).
 */
export const handlers: Handlers = {
  reportVersion,
  getVersion,
  checkTask,
  checkToken,
  downloadPackage,
  reportProgress,
  reportStatus,
  getTasking,
  getDeviceId,
  studioReportVersion: reportVersionVia(studio),
  studioGetVersion: getVersionVia(studio),
  studioCheckTask: checkTaskVia(studio),
  studioCheckTaskStatus: checkTaskStatusVia(studio),
  studioDownloadPackage: downloadVia(studio),
  studioReportStatus: reportStatusVia(studio),
  fuseReportVersion: reportVersionVia(fuse),
  fuseGetVersion: getVersionVia(fuse),
  fuseCheckTask: checkTaskVia(fuse),
  fuseCheckTaskStatus: checkTaskStatusVia(fuse),
  fuseDownloadPackage: downloadVia(fuse),
  fuseReportStatus: reportStatusVia(fuse),
  streamEvents,
  getConsole,
  getConsoleScript,
  getAccount,
  ...products,
  ...devices,
  ...groups,
  ...packages,
  ...diffs,
  ...jobs,
  ...tasks,
  ...taskStatus,
  ...clock,
  ...faults,
  ...journal,
  resetPlatform: reset.resetPlatform,
  ...snapshots,
};
