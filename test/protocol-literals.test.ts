import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The spec defines every errno, status code, step bound and module type; code that needs one names it from
// the generated protocol data (`TokenCheckErrno.TaskPaused`, `ResultCode.UpgradeSucceeded`, `bounds.Step`).
// A number typed in its place can drift from the spec without a compile error: this test finds them.

const root = new URL('..', import.meta.url).pathname;
const scanned = ['packages/mock-server/src', 'packages/conformance/src', 'packages/sdk/src/agent'];

/** The code of a TypeScript file with comments and string contents blanked, so only code is matched. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, (m) => m.replace(/[^\n]/g, ' '));
}

const rules: [string, RegExp][] = [
  [
    'an errno, code or step compared with a number',
    /\b(errno|lastErrno|code|step|result|lastCode)\s*(===|!==|<=|>=|=)\s*\d/,
  ],
  ['a number answered as an errno', /\b(answer|envelope|isErrnoOf)\([^()]*,\s*\d/],
  ['a status code written as a number', /(?<!status[^,;]{0,40})(?<!reply\()\b(10[1-7]|20[2-8])\b/],
  ['a module or package type written as a number', /\btype\s*(===|!==)\s*[12]\b/],
  ['a code looked up as a number', /\.(includes|has)\(\d+\)/],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('protocol numbers come from the spec', () => {
  it.each(scanned)('%s names every errno, status code and type it uses', (dir) => {
    const found: string[] = [];
    for (const file of files(join(root, dir))) {
      codeOnly(readFileSync(file, 'utf8'))
        .split('\n')
        .forEach((line, i) => {
          for (const [what, pattern] of rules)
            if (pattern.test(line)) found.push(`${relative(root, file)}:${i + 1} ${what}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('finds what it is for', () => {
    const sample = codeOnly(
      [
        "if (errno === 22) stop(); // '22' in a comment is fine",
        'return answer(call, op, 11, { note });',
        'if (codes.includes(205)) fail();',
        "const label = 'errno === 20 and 201 inside a string are fine';",
        'return new Response(null, { status: 206 });',
      ].join('\n'),
    ).split('\n');
    const hits = sample.map((line) => rules.filter(([, pattern]) => pattern.test(line)).map(([what]) => what));
    expect(hits).toEqual([
      ['an errno, code or step compared with a number'],
      ['a number answered as an errno'],
      ['a status code written as a number', 'a code looked up as a number'],
      [],
      [],
    ]);
  });
});
