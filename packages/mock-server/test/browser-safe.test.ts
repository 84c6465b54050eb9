import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The platform's core and its MSW door run in a browser (an app under test, a service worker): nothing they
// reach may import Node, through this package or the workspace packages it uses.
const nodeBuiltin = (s: string) =>
  s.startsWith('node:') || ['fs', 'path', 'crypto', 'http', 'stream', 'os'].includes(s);

function nodeImports(entry: string): { files: number; found: string[] } {
  const seen = new Set<string>();
  const found: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file) || !file.endsWith('.ts')) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*from\s+'([^']+)'/gm)]
      .filter((m) => !/^\s*(?:import|export)\s+type\s/.test(m[0]))
      .map((m) => m[1] as string);
    for (const specifier of specifiers) {
      if (nodeBuiltin(specifier)) found.push(`${file}: ${specifier}`);
      else if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      // Workspace packages are followed into their source; other packages are trusted to be runtime-neutral.
      else if (specifier.startsWith('@onenet-ota/')) visit(fileURLToPath(import.meta.resolve(specifier)));
    }
  };
  visit(fileURLToPath(new URL(entry, import.meta.url)));
  return { files: seen.size, found };
}

describe('runtimes other than Node', () => {
  it.each([
    ['../src/index.ts', 30],
    ['../src/msw.ts', 1],
  ])('%s imports nothing from Node', (entry, atLeast) => {
    const { files, found } = nodeImports(entry);
    expect(files).toBeGreaterThanOrEqual(atLeast);
    expect(found).toEqual([]);
  });

  it('tells the node door apart: it imports Node, and a browser build cannot resolve it', async () => {
    expect(nodeImports('../src/node.ts').found.length).toBeGreaterThan(0);
    const resolveIn = (conditions: string[]) =>
      promisify(execFile)(process.execPath, [
        ...conditions.map((c) => `--conditions=${c}`),
        '--input-type=module',
        '-e',
        "console.log(import.meta.resolve('@onenet-ota/mock-server/node'))",
      ]).then(
        ({ stdout }) => stdout.trim(),
        (error: { stderr: string }) => error.stderr,
      );
    expect(await resolveIn([])).toMatch(/src\/node\.ts$/);
    expect(await resolveIn(['browser'])).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});
