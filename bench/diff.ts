// Bench: this kit's VCDIFF codec against Debian's xdelta3 (and bsdiff where installed) on the same firmware pairs:
// a small edit, a relinked binary whose pointers all shift, and a large rewrite, at 1 MiB and 8 MiB. Prints
// generation time, restore time and patch size, each as a ratio to xdelta3, and the resident memory restoring adds
// in a process of its own (base read by position, patch streamed, sampled after every window).
//
// With --real, the pairs are two releases of real programs from the npm registry (esbuild's and rollup's Linux
// binaries), measured against `xdelta3 -e -9` and bsdiff: the bytes a device pulls for a real upgrade (issue 33).
//
//   pnpm exec node bench/diff.ts [--real]          (apt-get install xdelta3 bsdiff)
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memorySource, restoreVcdiff } from '@onenet-ota/sdk';
import { createVcdiff } from '@onenet-ota/sdk/vcdiff-encoder';
import { firmwarePair, type PairKind } from '../packages/sdk/test/firmware-pairs.ts';

if (process.argv[2] === '--restore-child') {
  // Restores base + patch as a device would: base by position from a file, patch streamed, output discarded.
  const { fileSource } = await import('@onenet-ota/sdk/node');
  const rss = () => Number(readFileSync('/proc/self/status', 'utf8').match(/VmRSS:\s+(\d+)/)?.[1]);
  const before = rss();
  let peak = before;
  let bytes = 0;
  for await (const window of restoreVcdiff(
    fileSource(process.argv[3] as string),
    createReadStream(process.argv[4] as string),
  )) {
    bytes += window.length;
    peak = Math.max(peak, rss());
  }
  // Resident memory the restore added over the loaded process: windows, patch sections, stream buffers.
  process.stdout.write(`${bytes} ${peak - before}\n`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'diff-bench-'));
const has = (tool: string) => spawnSync(tool, ['-h'], { stdio: 'ignore' }).error === undefined;
const time = (run: () => void) => {
  const started = performance.now();
  run();
  return performance.now() - started;
};

const rows: string[] = [];
if (process.argv.includes('--real')) {
  // Two releases of one program each, packed by npm from the registry: real relinked machine code.
  const pairs = [
    ['@esbuild/linux-x64', '0.24.0', '0.24.2', 'package/bin/esbuild'],
    ['@rollup/rollup-linux-x64-gnu', '4.24.0', '4.24.1', 'package/rollup.linux-x64-gnu.node'],
  ] as const;
  const extract = (name: string, version: string, path: string) => {
    const into = join(dir, `${name.replace(/\W/g, '-')}-${version}`);
    execFileSync('mkdir', ['-p', into]);
    const tarball = execFileSync('npm', ['pack', '--silent', `${name}@${version}`], { cwd: into })
      .toString()
      .trim();
    execFileSync('tar', ['xzf', tarball, path], { cwd: into });
    return readFileSync(join(into, path));
  };
  for (const [name, from, to, path] of pairs) {
    const base = extract(name, from, path);
    const target = extract(name, to, path);
    const [b, t, x9, bs] = ['base', 'target', 'x9.vcdiff', 'bs.patch'].map((n) => join(dir, n)) as string[];
    writeFileSync(b as string, base);
    writeFileSync(t as string, target);
    let patch: Uint8Array = new Uint8Array();
    const encodeMs = time(() => {
      patch = createVcdiff(base, target);
    });
    const xMs = time(() => execFileSync('xdelta3', ['-e', '-9', '-f', '-s', b as string, t as string, x9 as string]));
    const xSize = statSync(x9 as string).size;
    let bsSize = 0;
    if (has('bsdiff')) {
      execFileSync('bsdiff', [b as string, t as string, bs as string]);
      bsSize = statSync(bs as string).size;
    }
    rows.push(
      `${name} ${from} → ${to} (${target.length} B): ours ${patch.length} B = ${(patch.length / xSize).toFixed(2)}× xdelta3 -9 (${xSize} B)` +
        (bsSize ? `, ${(patch.length / bsSize).toFixed(2)}× bsdiff (${bsSize} B)` : '') +
        `; generate ${encodeMs.toFixed(0)} ms = ${(encodeMs / xMs).toFixed(2)}× xdelta3's`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${rows.join('\n')}\n`);
  process.exit(0);
}
for (const size of [1 << 20, 8 << 20]) {
  for (const kind of ['small-edit', 'relinked', 'rewrite'] as PairKind[]) {
    const { base, target } = firmwarePair(kind, size);
    const [b, t, ours, theirs, theirsPlain, bs] = [
      'base',
      'target',
      'ours.vcdiff',
      'xdelta3.vcdiff',
      'xdelta3-S-none.vcdiff',
      'bsdiff.patch',
    ].map((n) => join(dir, n)) as string[];
    writeFileSync(b as string, base);
    writeFileSync(t as string, target);
    let patch: Uint8Array = new Uint8Array();
    const encodeMs = time(() => {
      patch = createVcdiff(base, target);
    });
    writeFileSync(ours as string, patch);
    const decodeMs = await (async () => {
      const started = performance.now();
      for await (const _ of restoreVcdiff(memorySource(base), [patch]));
      return performance.now() - started;
    })();
    const child = execFileSync(process.execPath, [
      new URL(import.meta.url).pathname,
      '--restore-child',
      b as string,
      ours as string,
    ])
      .toString()
      .trim()
      .split(' ');
    const restorePeakMiB = Number(child[1]) / 1024;
    const xEncodeMs = time(() =>
      execFileSync('xdelta3', ['-e', '-f', '-s', b as string, t as string, theirs as string]),
    );
    const xDecodeMs = time(() =>
      execFileSync('xdelta3', ['-d', '-f', '-s', b as string, theirs as string, join(dir, 'x.out')]),
    );
    execFileSync('xdelta3', ['-e', '-f', '-S', 'none', '-s', b as string, t as string, theirsPlain as string]);
    const xSize = statSync(theirs as string).size;
    const xPlain = statSync(theirsPlain as string).size;
    let bsdiff = '';
    if (has('bsdiff')) {
      const bsMs = time(() => execFileSync('bsdiff', [b as string, t as string, bs as string]));
      const bpMs = time(() => execFileSync('bspatch', [b as string, join(dir, 'bs.out'), bs as string]));
      bsdiff = `   bsdiff ${statSync(bs as string).size} B, ${bsMs.toFixed(0)}/${bpMs.toFixed(0)} ms`;
    }
    rows.push(
      `${(size >> 20).toString().padStart(2)} MiB ${kind.padEnd(10)}  patch ${String(patch.length).padStart(8)} B = ${(patch.length / xSize).toFixed(2)}× xdelta3 (${xSize} B; ${(patch.length / xPlain).toFixed(2)}× its -S none ${xPlain} B)` +
        `   generate ${encodeMs.toFixed(0)} ms = ${(encodeMs / xEncodeMs).toFixed(2)}×   restore ${decodeMs.toFixed(0)} ms = ${(decodeMs / xDecodeMs).toFixed(2)}×   restore peak +${restorePeakMiB.toFixed(1)} MiB${bsdiff}`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${rows.join('\n')}\n(xdelta3 times include starting the process, a few ms; its default patches use secondary compression)\n`,
);
