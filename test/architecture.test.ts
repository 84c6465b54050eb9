import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The house's arrows run one way: no module imports itself back through others (type imports included), the
// mock platform's core/ depends on nothing above it, and the SDK's building blocks do not reach up into the agent.

const root = new URL('..', import.meta.url).pathname;
const sources = ['packages/sdk/src', 'packages/mock-server/src', 'packages/conformance/src', 'openapi/src'];

/** Every module under `dir` with the modules of the same package it imports (relative specifiers). */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        const imports = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*from\s+'(\.[^']+)'/gm)].map((m) =>
          normalize(join(dirname(path), m[1] as string)),
        );
        graph.set(normalize(path), imports);
      }
    }
  };
  walk(join(root, dir));
  return graph;
}

function cycles(graph: Map<string, string[]>): string[] {
  const found = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (module: string, path: string[]) => {
    if (state.get(module) === 'done') return;
    if (state.get(module) === 'open') {
      found.add(
        path
          .slice(path.indexOf(module))
          .concat(module)
          .map((m) => relative(root, m))
          .join(' → '),
      );
      return;
    }
    state.set(module, 'open');
    for (const next of graph.get(module) ?? []) visit(next, [...path, module]);
    state.set(module, 'done');
  };
  for (const module of graph.keys()) visit(module, []);
  return [...found];
}

function arrowsOut(graph: Map<string, string[]>, from: string, allowed: string[]): string[] {
  return [...graph].flatMap(([module, imports]) =>
    module.startsWith(join(root, from))
      ? imports
          .filter((target) => !allowed.some((prefix) => target.startsWith(join(root, prefix))))
          .map((target) => `${relative(root, module)} → ${relative(root, target)}`)
      : [],
  );
}

describe('the import graph', () => {
  it.each(sources)('%s has no import cycle', (dir) => {
    expect(cycles(importGraph(dir))).toEqual([]);
  });

  it('keeps the mock platform core/ at the bottom', () => {
    const graph = importGraph('packages/mock-server/src');
    expect(arrowsOut(graph, 'packages/mock-server/src/core/', ['packages/mock-server/src/core/'])).toEqual([]);
  });

  it("keeps the SDK's auth, crypto and diff below its agent and clients", () => {
    const graph = importGraph('packages/sdk/src');
    for (const folder of ['auth', 'crypto', 'diff'])
      expect(
        arrowsOut(graph, `packages/sdk/src/${folder}/`, [
          'packages/sdk/src/auth/',
          'packages/sdk/src/crypto/',
          'packages/sdk/src/diff/',
          'packages/sdk/src/generated/',
        ]),
      ).toEqual([]);
  });
});

// Range and Content-Range are read in one module, the SDK's wire/byte-ranges.ts, by every side (issue 30): a
// second reading (a regular expression here, a split there) is how two sides came to disagree on a header.
describe('wire values read once', () => {
  const reader = normalize(join(root, 'packages/sdk/src/wire/byte-ranges.ts'));
  // The forms the earlier readings took.
  const readings = [
    /replace\(\s*\/\^?bytes=/,
    /replace\(\s*'bytes='/,
    /\/\^bytes \(\\d\+\)/,
    /slice\('bytes '\.length\)/,
    /RangeHeader\.exec\(/,
    /'content-range'\)[^;\n]*\.split\(/,
  ];
  it('reads Range and Content-Range nowhere but in wire/byte-ranges.ts', () => {
    const found: string[] = [];
    for (const dir of sources)
      for (const file of importGraph(dir).keys()) {
        if (file === reader || file.includes('/generated/')) continue;
        const text = readFileSync(file, 'utf8');
        for (const reading of readings)
          if (reading.test(text)) found.push(`${relative(root, file)}: ${reading.source}`);
      }
    expect(found).toEqual([]);
  });

  it("reads dev_id nowhere but in the mock platform's core/http/dev-id.ts", () => {
    const devIds = normalize(join(root, 'packages/mock-server/src/core/http/dev-id.ts'));
    const found: string[] = [];
    for (const dir of sources)
      for (const file of importGraph(dir).keys()) {
        if (file === devIds || file.includes('/generated/')) continue;
        if (/\.get\(\s*'dev_id'\s*\)/.test(readFileSync(file, 'utf8'))) found.push(relative(root, file));
      }
    expect(found).toEqual([]);
  });
});

// The protocol as data lives in the spec's package (issue 30): the platform and the suite learn Errno, the enums,
// operations, patterns and the state machine from `@onenet-ota/openapi/protocol`, not from the device SDK.
describe('the protocol has one home', () => {
  const protocol = readFileSync(join(root, 'openapi/generated/protocol.ts'), 'utf8');
  const names = new Set([...protocol.matchAll(/^export (?:const|type|interface) (\w+)/gm)].map((m) => m[1]));

  it('is imported by the platform and the suite from @onenet-ota/openapi/protocol, never through the SDK', () => {
    const found: string[] = [];
    for (const dir of ['packages/mock-server/src', 'packages/conformance/src'])
      for (const file of importGraph(dir).keys()) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/^(?:import|export)(?: type)? \{([^}]*)\} from '@onenet-ota\/sdk'/gm))
          for (const spec of (m[1] as string).split(','))
            if (
              names.has(
                spec
                  .trim()
                  .replace(/^type\s+/, '')
                  .split(' as ')[0]
                  ?.trim(),
              )
            )
              found.push(`${relative(root, file)}: ${spec.trim()}`);
      }
    expect(names.size).toBeGreaterThan(40);
    expect(found).toEqual([]);
  });

  it('is generated once, in the spec package: the SDK holds no copy', () => {
    const copies = readdirSync(join(root, 'packages/sdk/src/generated')).filter((f) => f.startsWith('protocol'));
    expect(copies).toEqual([]);
  });
});

// A request goes through named stages, each in its own file under core/stages/ (issue 30, as Prism composes route →
// validate → mock → validate): machinery.ts runs them in order, and a stage reaches back only to earlier ones.
describe('the request pipeline', () => {
  const stagesDir = 'packages/mock-server/src/core/stages/';
  const order = ['admit', 'read', 'authenticate', 'handle', 'validate', 'journal', 'shape'];
  const graph = importGraph('packages/mock-server/src');
  const stageOf = (file: string) => relative(join(root, stagesDir), file).replace(/\.ts$/, '');

  it('has each stage in its own file, and only machinery.ts runs them', () => {
    const files = readdirSync(join(root, stagesDir)).map((f) => f.replace(/\.ts$/, ''));
    expect(files.filter((f) => f !== 'failure').sort()).toEqual([...order].sort());
    const runners = [...graph]
      .filter(
        ([module, imports]) => !module.includes('/core/stages/') && imports.some((i) => i.includes('/core/stages/')),
      )
      .map(([module]) => relative(root, module));
    expect(runners).toEqual(['packages/mock-server/src/core/machinery.ts']);
  });

  it('lets a stage import only the stages before it (and the shared failure answer)', () => {
    const backwards: string[] = [];
    for (const [module, imports] of graph) {
      if (!module.includes('/core/stages/')) continue;
      const at = order.indexOf(stageOf(module));
      for (const target of imports.filter((i) => i.includes('/core/stages/'))) {
        const to = stageOf(target);
        if (to !== 'failure' && order.indexOf(to) >= at) backwards.push(`${stageOf(module)} → ${to}`);
      }
    }
    expect(backwards).toEqual([]);
  });
});
