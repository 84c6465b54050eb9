import type { Rule } from './types.ts';

/** A selection or configuration the suite cannot run with; the CLI prints it on one line and exits 2. */
export class ConformanceConfigError extends Error {
  override name = 'ConformanceConfigError';
}

/**
 * `TOK-*`, `RNG-00?`, `RNG-00[1-3]`, `RPT-00[!5]`: shell-style globs over rule ids, case-insensitive. Throws on a
 * bracket that is never closed.
 */
export function matches(id: string, glob: string): boolean {
  return globRegExp(glob).test(id);
}

function globRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') pattern += '.*';
    else if (c === '?') pattern += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) throw new ConformanceConfigError(`"${glob}" has a [ that is never closed`);
      let set = glob.slice(i + 1, close);
      const negated = set.startsWith('!') || set.startsWith('^');
      if (negated) set = set.slice(1);
      pattern += `[${negated ? '^' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 'i');
}

/** Whether a rule runs: it matches one of `cases` and none of `exclude`. */
export function selected(rule: Rule, cases: readonly string[], exclude: readonly string[]): boolean {
  return cases.some((glob) => matches(rule.id, glob)) && !exclude.some((glob) => matches(rule.id, glob));
}

/** Throws unless every glob matches at least one rule: a typo must not quietly select nothing. */
export function checkSelection(globs: readonly string[], rules: readonly Rule[], flag: string): void {
  const unmatched = globs.filter((glob) => !rules.some((rule) => matches(rule.id, glob)));
  if (unmatched.length > 0) {
    throw new ConformanceConfigError(
      `${flag} ${unmatched.join(', ')} matches no rule; the rules are ${rules.map((r) => r.id).join(' ')}`,
    );
  }
}

/** A comma-separated flag value (`--cases`, `--exclude`, `--without`): its items, trimmed, empty ones dropped. */
export function commaList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
