#!/usr/bin/env node
// ota-device: the SDK's reference OneNET OTA device as a process. See `ota-device --help`.
import * as nodeModule from 'node:module';

// The oldest Node the packed bins are tested on (test/published.test.ts): older ones get one line, not a stack.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`ota-device needs Node 22.12 or later; this is ${process.version}\n`);
  process.exit(1);
}

// Node keeps the compiled, type-stripped modules on disk: the conformance suite starts this bin once per case,
// and stripping the SDK's types would otherwise cost every start about 0.15 s of CPU.
// Node 22.1+ (the engines); on older versions the bin simply starts without it.
nodeModule.enableCompileCache?.();
const { DeviceUsageError, runOtaDevice } = await import('../src/node/index.ts');

// `pnpm run x -- --flag` passes the `--` through; it separates nothing here.
const argv = () => process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));

try {
  const { result, exitCode, help } = await runOtaDevice(argv(), process.env, (line) =>
    process.stderr.write(`${line}\n`),
  );
  if (help) process.stdout.write(help);
  if (result) process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = exitCode;
} catch (error) {
  if (!(error instanceof DeviceUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')))
    throw error;
  process.stderr.write(`ota-device: ${(error as Error).message}\nTry ota-device --help.\n`);
  process.exitCode = 2;
}
