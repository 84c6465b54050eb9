import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../packages/conformance/src/index.ts';

// Every "protocol §N" the spec, the code, the rules and the docs cite is a section of docs/protocol.md: the
// citations point into the repository, never at a file outside it.

const root = new URL('..', import.meta.url).pathname;
const reference = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
const anchors = new Set([...reference.matchAll(/<a id="s([\d.]+)"><\/a>/g)].map((m) => m[1]));

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'dist', 'generated', 'reports', '.git'].includes(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|ya?ml|md|c|h)$/.test(name)) yield path;
  }
}

describe('the protocol reference', () => {
  it('has a section for every "protocol §N" cited anywhere in the repository', () => {
    const cited = new Map<string, string>();
    for (const file of sources(root))
      for (const m of readFileSync(file, 'utf8').matchAll(/protocol §(\d+(?:\.\d+)?)/g))
        cited.set(m[1] as string, file.slice(root.length));
    expect(cited.size).toBeGreaterThan(20);
    expect([...cited].filter(([n]) => !anchors.has(n))).toEqual([]);
  });

  it("has a section for every rule's ref", () => {
    const refs = rules.flatMap((rule) => [...rule.ref.matchAll(/§(\d+(?:\.\d+)?)/g)].map((m) => [rule.id, m[1]]));
    expect(refs.length).toBeGreaterThanOrEqual(rules.length);
    expect(refs.filter(([, n]) => !anchors.has(n as string))).toEqual([]);
  });

  it('cites nothing outside the repository', () => {
    const outside = [...sources(root)].filter((file) =>
      /shared\/protocol|protocol notes/.test(readFileSync(file, 'utf8')),
    );
    expect(outside.map((file) => file.slice(root.length)).filter((f) => f !== 'test/protocol-refs.test.ts')).toEqual(
      [],
    );
  });
});
