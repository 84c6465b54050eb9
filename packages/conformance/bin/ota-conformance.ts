#!/usr/bin/env node
// ota-conformance: judge a device's OneNET OTA implementation. See `ota-conformance --help`.
import { ConformanceUsageError, runCli } from '../src/cli.ts';

// `pnpm run x -- --flag` passes the `--` through; it separates nothing here.
const argv = () => process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));

try {
  process.exitCode = await runCli(argv(), (text) => process.stdout.write(text));
} catch (error) {
  if (!(error instanceof ConformanceUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')))
    throw error;
  process.stderr.write(`ota-conformance: ${(error as Error).message}\nTry ota-conformance --help.\n`);
  process.exitCode = 2;
}
