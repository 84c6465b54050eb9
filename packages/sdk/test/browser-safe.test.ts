import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The client entry must run in browsers: no module reachable from src/index.ts may import Node.
const src = join(dirname(fileURLToPath(import.meta.url)), '../src');

function reachable(entry: string): { files: Set<string>; imports: Map<string, string[]> } {
  const files = new Set<string>();
  const imports = new Map<string, string[]>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*from\s+'([^']+)'/gm)]
      .filter((m) => !/^\s*(?:import|export)\s+type\s/.test(m[0]))
      .map((m) => m[1] as string);
    imports.set(file, specifiers);
    for (const specifier of specifiers) if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
  };
  visit(join(src, entry));
  return { files, imports };
}

describe('the client entry', () => {
  it('imports nothing from Node, directly or through its modules', () => {
    const { files, imports } = reachable('index.ts');
    expect(files.size).toBeGreaterThan(10);
    const nodeImports = [...imports].flatMap(([file, specifiers]) =>
      specifiers
        .filter((s) => s.startsWith('node:') || ['fs', 'path', 'crypto', 'http', 'stream'].includes(s))
        .map((s) => `${file}: ${s}`),
    );
    expect(nodeImports).toEqual([]);
  });

  it('is told apart from the node entry, which does import Node', () => {
    const { imports } = reachable('node/index.ts');
    expect([...imports.values()].flat().some((s) => s.startsWith('node:'))).toBe(true);
  });
});
