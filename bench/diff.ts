// Bench: this kit's VCDIFF codec against Debian's xdelta3 (and bsdiff where installed) on the same firmware pairs:
// a small edit, a relinked binary whose pointers all shift, and a large rewrite, at 1 MiB and 8 MiB. Prints
// generation time, restore time and patch size, each as a ratio to xdelta3, and the resident memory restoring adds
// in a process of its own (base read by position, patch streamed, sampled after every window).
//
// With --real, the pairs are two releases of real programs from the npm registry (esbuild's and rollup's Linux
// binaries), measured against `xdelta3 -e -9` and bsdiff: the bytes a device pulls for a real upgrade (issue 33).
// Ours is measured plain (`vcdiff`) and with LZMA sections (`vcdiff-lzma`) in 1 MiB and 16 KiB windows; for each,
// the most a device must hold at once to restore it: a window, its decoded sections and, with LZMA, the decoder's
// probabilities (this kit's blocks reset the dictionary per window, so the section being decoded is the history).
//
//   pnpm exec node bench/diff.ts [--real]          (apt-get install xdelta3 bsdiff)
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lzma2 } from '@napi-rs/lzma';
import { memorySource, restoreVcdiff } from '@onenet-ota/sdk';
import { createVcdiff } from '@onenet-ota/sdk/vcdiff-encoder';
import { firmwarePair, type PairKind } from '../packages/sdk/test/firmware-pairs.ts';
import { decodedSize, patchWindows } from '../packages/sdk/test/vcdiff-windows.ts';

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

// lc = 3, lp = 0 (the LZMA2 encoder's default): 1846 + 0x300 << 3 probabilities of 2 bytes (lzma-decoder.ts).
const lzmaProbabilityBytes = (1846 + (0x300 << 3)) * 2;
const compress = (bytes: Uint8Array) => lzma2.compressSync(bytes);

/** The most bytes a device holds at once restoring `patch`: a window and its decoded sections, plus LZMA's state. */
function restoreMemory(patch: Uint8Array): number {
  const held = patchWindows(patch).map(
    ({ targetLength, sections }) => targetLength + sections.reduce((n, section) => n + decodedSize(patch, section), 0),
  );
  return Math.max(...held) + (patch[4] === 1 ? lzmaProbabilityBytes : 0);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
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
    const xMs = time(() => execFileSync('xdelta3', ['-e', '-9', '-f', '-s', b as string, t as string, x9 as string]));
    const xSize = statSync(x9 as string).size;
    let bsSize = 0;
    if (has('bsdiff')) {
      execFileSync('bsdiff', [b as string, t as string, bs as string]);
      bsSize = statSync(bs as string).size;
    }
    // xdelta3 in the same 16 KiB windows, for the row a 64 KiB device restores (its LZMA stream runs through every
    // window, so restoring it also needs LZMA's dictionary: more memory than ours, never less).
    execFileSync('xdelta3', ['-e', '-9', '-W', '16384', '-f', '-s', b as string, t as string, x9 as string]);
    const xSmall = statSync(x9 as string).size;
    rows.push(
      `${name} ${from} → ${to} (${target.length} B): xdelta3 -9 ${xSize} B (-W 16384: ${xSmall} B), bsdiff ${bsSize || '-'} B`,
    );
    for (const [label, options] of [
      ['vcdiff       1 MiB windows', {}],
      ['vcdiff-lzma  1 MiB windows', { lzma2: compress }],
      ['vcdiff-lzma 16 KiB windows', { lzma2: compress, windowSize: 16 * 1024 }],
    ] as const) {
      let patch: Uint8Array = new Uint8Array();
      const encodeMs = time(() => {
        patch = createVcdiff(base, target, options);
      });
      rows.push(
        `  ${label}: ${String(patch.length).padStart(8)} B = ${(patch.length / xSize).toFixed(2)}× xdelta3 -9` +
          ('windowSize' in options ? ` (${(patch.length / xSmall).toFixed(2)}× its -W 16384)` : '') +
          (bsSize ? `, ${(patch.length / bsSize).toFixed(2)}× bsdiff` : '') +
          `; generate ${encodeMs.toFixed(0)} ms = ${(encodeMs / xMs).toFixed(2)}× xdelta3's; restore holds ${kib(restoreMemory(patch))}`,
      );
    }
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
    const lzmaSize = createVcdiff(base, target, { lzma2: compress }).length;
    rows.push(
      `${(size >> 20).toString().padStart(2)} MiB ${kind.padEnd(10)}  patch ${String(patch.length).padStart(8)} B = ${(patch.length / xSize).toFixed(2)}× xdelta3 (${xSize} B; ${(patch.length / xPlain).toFixed(2)}× its -S none ${xPlain} B)` +
        `   vcdiff-lzma ${lzmaSize} B = ${(lzmaSize / xSize).toFixed(2)}×` +
        `   generate ${encodeMs.toFixed(0)} ms = ${(encodeMs / xEncodeMs).toFixed(2)}×   restore ${decodeMs.toFixed(0)} ms = ${(decodeMs / xDecodeMs).toFixed(2)}×   restore peak +${restorePeakMiB.toFixed(1)} MiB${bsdiff}`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${rows.join('\n')}\n(xdelta3 times include starting the process, a few ms; its default patches use secondary compression)\n`,
);
