import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memorySource, restoreVcdiff } from '../src/index.ts';
import { createVcdiff } from '../src/vcdiff-encoder.ts';
import { firmwarePair } from './firmware-pairs.ts';

// Interoperability with Debian's xdelta3 (apt-get install xdelta3), which .ci/run installs. Outside CI a machine
// without it skips these, saying so; in CI they must run.
const hasXdelta3 = (() => {
  try {
    execFileSync('xdelta3', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const dir = mkdtempSync(join(tmpdir(), 'vcdiff-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { base, target } = firmwarePair('relinked', 2 * 1024 * 1024);
writeFileSync(join(dir, 'base'), base);
writeFileSync(join(dir, 'target'), target);

describe.skipIf(!hasXdelta3 && !process.env.CI)(
  'VCDIFF and Debian xdelta3 (skipped without xdelta3 outside CI)',
  () => {
    it('xdelta3 -d applies a patch this kit made', () => {
      writeFileSync(join(dir, 'ours.vcdiff'), createVcdiff(base, target));
      execFileSync('xdelta3', ['-d', '-f', '-s', join(dir, 'base'), join(dir, 'ours.vcdiff'), join(dir, 'restored')]);
      expect(readFileSync(join(dir, 'restored')).equals(Buffer.from(target))).toBe(true);
    });

    it('the SDK applies a patch xdelta3 -e made (-S none: no secondary compression)', async () => {
      execFileSync('xdelta3', [
        '-e',
        '-f',
        '-S',
        'none',
        '-s',
        join(dir, 'base'),
        join(dir, 'target'),
        join(dir, 'theirs.vcdiff'),
      ]);
      const out: Uint8Array[] = [];
      for await (const window of restoreVcdiff(memorySource(base), [readFileSync(join(dir, 'theirs.vcdiff'))]))
        out.push(window);
      expect(Buffer.concat(out).equals(Buffer.from(target))).toBe(true);
    });
  },
);
