// Reads the CPU profile `bench/throughput.ts --profile <dir>` wrote and prints where ota-mock spent its time:
// the top functions by self time, then self time by file. `node bench/profile-top.ts <dir>`
import { readdirSync, readFileSync } from 'node:fs';

const dir = process.argv[2] as string;
const file = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => `${dir}/${f}`)[0] as string;
const prof = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount: number;
    children?: number[];
  }[];
};
const self = new Map<string, number>();
let total = 0;
for (const n of prof.nodes) {
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + n.hitCount);
  total += n.hitCount;
}
const byFile = new Map<string, number>();
for (const n of prof.nodes) {
  const f = n.callFrame.url.split('/').slice(-2).join('/') || n.callFrame.functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + n.hitCount);
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 30);
for (const [k, v] of top) process.stdout.write(`${((100 * v) / total).toFixed(1).padStart(5)}% ${k}\n`);
process.stdout.write('--- self by file\n');
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25))
  process.stdout.write(`${((100 * v) / total).toFixed(1).padStart(5)}% ${k}\n`);
process.stdout.write("--- inclusive (self + callees), this project's functions\n");
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const inclusive = new Map<number, number>();
const total_ = (id: number): number => {
  const known = inclusive.get(id);
  if (known !== undefined) return known;
  const n = byId.get(id);
  const sum = (n?.hitCount ?? 0) + (n?.children ?? []).reduce((acc, c) => acc + total_(c), 0);
  inclusive.set(id, sum);
  return sum;
};
const perFunction = new Map<string, number>();
for (const n of prof.nodes) {
  if (!/packages\/|src\//.test(n.callFrame.url) || n.callFrame.url.includes('node_modules')) continue;
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  // A recursive function counts once: only its outermost frames add up.
  perFunction.set(key, (perFunction.get(key) ?? 0) + total_(n.id));
}
for (const [k, v] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, 30))
  process.stdout.write(`${((100 * v) / total).toFixed(1).padStart(5)}% ${k}\n`);
