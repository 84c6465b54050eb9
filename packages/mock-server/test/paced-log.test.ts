import { expect, it } from 'vitest';
import type { LogBrief, LoggedEntry } from '../src/index.ts';
import { PacedLog } from '../src/paced-log.ts';

// The request log prints every call a person can read, and groups the rest of a busy second with counts.

it('prints the first lines of each second, groups the rest by device, operation and answer, and starts again', () => {
  let now = 0;
  const lines: string[] = [];
  let views = 0;
  const log = new PacedLog({
    write: (line) => lines.push(line),
    format: (entry) => `line ${entry.operation}`,
    perSecond: 3,
    now: () => now,
  });
  const call = (operation: string, errno: number | undefined, status = 200) => {
    const brief: LogBrief = { time: Date.UTC(2026, 11, 6, 5, 20, 0), operation, devId: 7, errno, status };
    log.take(brief, () => {
      views++;
      return { operation } as LoggedEntry;
    });
  };
  for (let i = 0; i < 10; i++) call('checkTask', 0);
  call('downloadPackage', 0, 206);
  call('checkTask', 12);
  // Back to a group met before: counted in it, not in a new one.
  call('checkTask', 0);
  expect(lines).toEqual(['line checkTask\n', 'line checkTask\n', 'line checkTask\n']);
  // Only the printed calls were read whole.
  expect(views).toBe(3);
  now = 1000;
  call('reportProgress', 0);
  expect(lines.slice(3)).toEqual([
    '05:20:00.000 dev 7          checkTask        ×8 more, errno 0 (over 3 lines a second: grouped; --log json keeps each)\n',
    '05:20:00.000 dev 7          downloadPackage  ×1 more, errno 0 (over 3 lines a second: grouped; --log json keeps each)\n',
    '05:20:00.000 dev 7          checkTask        ×1 more, errno 12 (over 3 lines a second: grouped; --log json keeps each)\n',
    'line reportProgress\n',
  ]);
});
