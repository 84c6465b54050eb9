/**
 * @module
 * `@onenet-ota/conformance`: judges a device's OneNET OTA implementation against the mock platform, rule by rule,
 * with console, JSON, JUnit and HTML reports. Run it from a test suite with `runConformance`, or as
 * `ota-conformance`; judge a session recorded with the real OneNET with `readCapture` and `judgeCapture`, and
 * list where its answers differ from the mock's with `drift`.
 */

export { CaptureError } from './capture/capture-error.ts';
export type { Drift } from './capture/drift.ts';
export { drift } from './capture/drift.ts';
export type { JudgeCaptureOptions } from './capture/judge-capture.ts';
export { judgeCapture } from './capture/judge-capture.ts';
export type { Capture } from './capture/read-capture.ts';
export { readCapture } from './capture/read-capture.ts';
export { defineRule, should } from './define-rule.ts';
export type { AgentDeviceOptions } from './drivers/agent.ts';
export { agentDevice } from './drivers/agent.ts';
export type { CommandDeviceOptions } from './drivers/command.ts';
export { commandDevice, deviceEnvironment, fillPlaceholders } from './drivers/command.ts';
export type { DeviceDriver, DeviceSession, DeviceSetup } from './drivers/device.ts';
export type { DeviceClock } from './drivers/device-clock.ts';
export type { Quirk } from './drivers/quirks.ts';
export { quirks, withQuirks } from './drivers/quirks.ts';
export { waitDevice } from './drivers/wait.ts';
export type { Judgement } from './judge.ts';
export { judge } from './judge.ts';
export type { DeviceProfile } from './profile.ts';
export { deviceProfile, ProfileError } from './profile.ts';
export { consoleLine, consoleSummary } from './report/console.ts';
export { htmlReport } from './report/html.ts';
export { junitReport } from './report/junit.ts';
export { rules } from './rules/index.ts';
export type { RunOptions } from './run.ts';
export { runConformance } from './run.ts';
export { ConformanceConfigError } from './select.ts';
export type {
  Action,
  Capability,
  CaseFault,
  CaseResult,
  DeviceExit,
  Evidence,
  Finding,
  Level,
  Need,
  Rule,
  RunResult,
  Scenario,
  ShouldFinding,
  StateChange,
  Verdict,
  When,
} from './types.ts';
export { capabilities, verdicts } from './types.ts';
export { writeReports } from './write-reports.ts';
