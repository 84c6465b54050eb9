/**
 * @module
 * `@onenet-ota/conformance`: judges a device's OneNET OTA implementation against the mock platform, rule by rule,
 * with console, JSON, JUnit and HTML reports. Run it from a test suite with `runConformance`, or as
 * `ota-conformance`.
 */

export { writeReports } from './cli.ts';
export { defineRule } from './define-rule.ts';
export { agentDevice } from './drivers/agent.ts';
export { commandDevice, deviceEnvironment, fillPlaceholders } from './drivers/command.ts';
export type { DeviceDriver, DeviceExit, DeviceSession, DeviceSetup } from './drivers/device.ts';
export { waitDevice } from './drivers/wait.ts';
export { consoleLine, consoleSummary } from './report/console.ts';
export { htmlReport } from './report/html.ts';
export { junitReport } from './report/junit.ts';
export { rules } from './rules/index.ts';
export type { RunOptions } from './run.ts';
export { runConformance } from './run.ts';
export type {
  Action,
  AgentDeviceOptions,
  Capability,
  CaseResult,
  Evidence,
  Level,
  Rule,
  RunResult,
  Scenario,
  StateChange,
  Verdict,
  When,
} from './types.ts';
