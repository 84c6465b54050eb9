import { describe, expect, it } from 'vitest';
import { commandDevice, runConformance } from '../src/index.ts';

// DIFF-001 on the format a firmware team really restores: the platform makes patches with Debian's bsdiff
// (`--diff-cmd`), and a device restores them with bspatch (`ota-device --restore-cmd`). Both are real processes.

const bsdiff = { command: 'bsdiff {old} {new} {out}', format: 'bsdiff40' } as const;

describe('DIFF-001 with a diff command', () => {
  it('passes a device that restores the format the command makes', async () => {
    const result = await runConformance({
      device: commandDevice(undefined, { env: { OTA_RESTORE_CMD: 'bspatch {old} {new} {patch}' } }),
      cases: ['DIFF-001'],
      diff: bsdiff,
    });
    const diff = result.cases.find((c) => c.id === 'DIFF-001');
    expect([diff?.verdict, diff?.findings]).toEqual(['pass', []]);
  });

  it('fails the VCDIFF reference device on it, with a finding that names the format served', async () => {
    const result = await runConformance({ device: commandDevice(), cases: ['DIFF-001'], diff: bsdiff });
    const diff = result.cases.find((c) => c.id === 'DIFF-001');
    expect(diff?.verdict).toBe('fail');
    expect(diff?.findings.at(-1)).toMatch(
      /^the patch served was bsdiff40 \(made by --diff-cmd\);.*OneNET's own online patches/,
    );
  });
});

describe('DIFF-001 with the built-in vcdiff-lzma format', () => {
  it('passes the reference device, whose SDK decoder reads LZMA sections', async () => {
    const result = await runConformance({
      device: commandDevice(),
      cases: ['DIFF-001'],
      diff: { format: 'vcdiff-lzma' },
    });
    const diff = result.cases.find((c) => c.id === 'DIFF-001');
    expect([diff?.verdict, diff?.findings]).toEqual(['pass', []]);
  });
});
