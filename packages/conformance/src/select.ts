import type { Rule } from './types.ts';

/** `TOK-*`, `RNG-00?`, `AUTH-001`: shell-style globs over rule ids, case-insensitive. */
export function matches(id: string, glob: string): boolean {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${pattern}$`, 'i').test(id);
}

/** Whether a rule runs: it matches one of `cases` and none of `exclude`. */
export function selected(rule: Rule, cases: readonly string[], exclude: readonly string[]): boolean {
  return cases.some((glob) => matches(rule.id, glob)) && !exclude.some((glob) => matches(rule.id, glob));
}
