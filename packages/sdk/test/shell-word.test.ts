import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { shellWord } from '../src/node/shell-word.ts';

it('makes any path one word that /bin/sh reads back as it was', () => {
  for (const path of ['/tmp/plain', "/tmp/it's here", '/tmp/$HOME `id` "x" \\ *', "'", '']) {
    const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellWord(path)}`], { encoding: 'utf8' });
    expect([path, echoed]).toEqual([path, path]);
  }
});
