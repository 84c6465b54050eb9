#!/usr/bin/env node
// ota-fleet: a simulated fleet rolling out a package on the mock platform. See `ota-fleet --help`.
import * as nodeModule from 'node:module';

// The oldest Node the packed bins are tested on (test/published.test.ts): older ones get one line, not a stack.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`ota-fleet needs Node 22.12 or later; this is ${process.version}\n`);
  process.exit(1);
}

nodeModule.enableCompileCache?.();
const { FleetUsageError, runFleetCli } = await import('../src/fleet/cli.ts');

const argv = () => process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
try {
  process.exitCode = await runFleetCli(argv(), (text) => process.stdout.write(text), Boolean(process.stdout.isTTY));
} catch (error) {
  const code = (error as { code?: unknown }).code;
  if (error instanceof FleetUsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`ota-fleet: ${(error as Error).message}\nTry ota-fleet --help.\n`);
    process.exit(2);
  }
  process.stderr.write(`ota-fleet: ${(error as Error).message}\n`);
  process.exit(1);
}
