import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// Decisions are short records, one per file, that code, spec and docs cite as "DECISIONS N"; this holds the shape
// (so they stay records, not histories) and that every citation in the repository names one that exists.
const root = join(import.meta.dirname, '..');
const dir = join(root, 'decisions');
const records = readdirSync(dir)
  .filter((f) => f.endsWith('.md'))
  .sort();
const numberOf = (file: string) => Number(file.slice(0, 3));

it('keeps each record short, numbered by its file, with context, decision, consequence and source', () => {
  expect(records.map(numberOf)).toEqual(records.map((_, i) => i + 1));
  for (const file of records) {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text.startsWith(`# ${numberOf(file)}. `), file).toBe(true);
    const parts = [...text.matchAll(/^\*\*(\w+)\.\*\* \S/gm)].map((m) => m[1]);
    expect(parts, file).toEqual(['Context', 'Decision', 'Consequence', 'Source']);
    expect(text.length, `${file} is a record, not a history`).toBeLessThanOrEqual(1_200);
  }
});

it('lists every record in the index, in order, under its own title', () => {
  const index = readFileSync(join(root, 'DECISIONS.md'), 'utf8');
  const listed = [...index.matchAll(/^(\d+)\. \[(.+)\]\(decisions\/(.+\.md)\)$/gm)];
  expect(listed.map((m) => m[3])).toEqual(records);
  for (const [, n, title, file = ''] of listed) {
    expect(readFileSync(join(dir, file), 'utf8').split('\n')[0]).toBe(`# ${n}. ${title}`);
  }
});

it('has a record for every "DECISIONS N" the repository cites', () => {
  const tracked = execFileSync('git', ['ls-files'], { cwd: join(root, '..'), encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.(ts|md|yaml)$/.test(f) && !f.includes('/generated/'));
  let cited = 0;
  for (const file of tracked) {
    const text = readFileSync(join(root, '..', file), 'utf8');
    for (const m of text.matchAll(/DECISIONS\s+(\d+)/g)) {
      cited++;
      expect(Number(m[1]), `${file} cites DECISIONS ${m[1]}`).toBeLessThanOrEqual(records.length);
    }
  }
  expect(cited).toBeGreaterThan(20);
});
