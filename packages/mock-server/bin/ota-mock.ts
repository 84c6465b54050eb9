#!/usr/bin/env node
// ota-mock: the mock OneNET OTA platform as a process. See `ota-mock --help`.
import * as nodeModule from 'node:module';

// The oldest Node the packed bins are tested on (test/published.test.ts): older ones get one line, not a stack.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`ota-mock needs Node 22.12 or later; this is ${process.version}\n`);
  process.exit(1);
}

// Node keeps the compiled, type-stripped modules on disk, so the next start skips that work.
// Node 22.1+ (the engines); on older versions the bin simply starts without it.
nodeModule.enableCompileCache?.();
const { DataDirError, runCli, UsageError } = await import('../src/cli.ts');

// `pnpm run x -- --flag` passes the `--` through; it separates nothing here.
const argv = () => process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));

const write = (text: string) => process.stdout.write(text);
try {
  const running = await runCli(argv(), write);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void running.stop().then(() => process.exit(0));
    });
  }
} catch (error) {
  const code = (error as { code?: unknown }).code;
  if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`ota-mock: ${(error as Error).message}\nTry ota-mock --help.\n`);
    process.exit(2);
  }
  // A data directory in use, a port taken, a directory it cannot write: one line, not a stack trace.
  if (!(error instanceof DataDirError || typeof code === 'string')) throw error;
  process.stderr.write(`ota-mock: ${(error as Error).message}\n`);
  process.exit(1);
}
