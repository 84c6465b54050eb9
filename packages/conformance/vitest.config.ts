import { defineProject } from 'vitest/config';

// Every test here runs whole conformance cases (devices, platforms, processes): seconds each when the machine
// is idle, several times that beside other test processes on two cores. 60 s is the limit of a test that hangs.
// `pnpm run test:fast` (OTA_TESTS=fast) leaves out the slow proofs: the mutant matrices as real runs of the whole
// suite, and Chromium. rules-proof.test.ts still shows every rule failing, by re-judging recorded journals.
const slow = ['test/c-device.test.ts', 'test/agent-mutants.test.ts', 'test/report-browser.test.ts'];

export default defineProject({
  test: {
    name: 'conformance',
    include: ['test/**/*.test.ts'],
    exclude: process.env.OTA_TESTS === 'fast' ? slow : [],
    testTimeout: 60_000,
  },
});
