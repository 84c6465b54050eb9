import { defineProject } from 'vitest/config';

// Tests here start HTTP servers, child processes and whole device upgrades: under a second each when the machine
// is idle, a few seconds beside other test processes. 20 s is the limit of a test that hangs.
// `pnpm run test:fast` (OTA_TESTS=fast) leaves out the slow ones: kill -9 rounds, racing processes, Chromium.
const slow = [
  'test/durable-kill.test.ts',
  'test/data-dir-lock.test.ts',
  'test/console.test.ts',
  'test/browser.test.ts',
  'test/hostile-page.test.ts',
];

export default defineProject({
  test: {
    name: 'mock-server',
    include: ['test/**/*.test.ts'],
    exclude: process.env.OTA_TESTS === 'fast' ? slow : [],
    testTimeout: 20_000,
  },
});
