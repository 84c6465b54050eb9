// A single quote inside single quotes: close the quoted run, add a double-quoted quote, open it again.
const quoteInside = `'"'"'`;

/**
 * A path as one word of a `/bin/sh` command line: the restore and diff commands a firmware team gives have their
 * `{old}`, `{new}`, `{out}`, `{patch}` filled with temporary paths, which may hold spaces or quotes.
 *
 * @example
 * shellWord("/tmp/it's here"); // `'/tmp/it'"'"'s here'`
 */
export function shellWord(path: string): string {
  return `'${path.split("'").join(quoteInside)}'`;
}
