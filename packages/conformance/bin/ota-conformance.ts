#!/usr/bin/env node
// ota-conformance: judge a device's OneNET OTA implementation. See `ota-conformance --help`.
import * as nodeModule from 'node:module';

// The oldest Node the packed bins are tested on (test/published.test.ts): older ones get one line, not a stack.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`ota-conformance needs Node 22.12 or later; this is ${process.version}\n`);
  process.exit(1);
}

// Node keeps the compiled, type-stripped modules on disk, so the next start skips that work.
// Node 22.1+ (the engines); on older versions the bin simply starts without it.
nodeModule.enableCompileCache?.();
const { isUsageError, runCli } = await import('../src/cli.ts');

// `pnpm run x -- --flag` passes the `--` through; it separates nothing here.
const argv = () => process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));

try {
  process.exitCode = await runCli(argv(), (text) => process.stdout.write(text));
} catch (error) {
  if (!isUsageError(error)) throw error;
  process.stderr.write(`ota-conformance: ${error.message}\nTry ota-conformance --help.\n`);
  process.exitCode = 2;
}
