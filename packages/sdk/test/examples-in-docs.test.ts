import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// Every function and class the SDK exports has an @example in its doc comment (issue: "typedoc pages for every
// public export, each with an example"). Types and generated tables document themselves.
const src = join(dirname(fileURLToPath(import.meta.url)), '../src');

function exportedDeclarations(entry: string): { name: string; file: string }[] {
  const text = readFileSync(join(src, entry), 'utf8');
  return [...text.matchAll(/^export \{([^}]+)\} from '(\.[^']+)';/gm)].flatMap(([, names, from]) =>
    (names as string)
      .split(',')
      .map((n) => n.trim().split(' as ')[0] as string)
      .filter(Boolean)
      .map((name) => ({ name, file: resolve(dirname(join(src, entry)), from as string) })),
  );
}

const declarations = [...exportedDeclarations('index.ts'), ...exportedDeclarations('node/index.ts')].filter(
  ({ file }) => !file.includes('/generated/'),
);

it.each(declarations.map((d) => [d.name, d.file] as const))('%s has an @example', (name, file) => {
  const text = readFileSync(file, 'utf8');
  const declaration = new RegExp(
    `/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export (?:async )?(?:function\\*? |class |const )${name}\\b`,
  ).exec(text);
  if (!declaration) return; // a type, or an alias re-exported under another name: nothing to run
  expect(declaration[1], `${name} in ${file}`).toContain('@example');
});
