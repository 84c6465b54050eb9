import { defineProject } from 'vitest/config';

// Tests here start HTTP servers, child processes and whole device upgrades: under a second each when the machine
// is idle, a few seconds beside other test processes. 20 s is the limit of a test that hangs.
export default defineProject({ test: { name: 'mock-server', include: ['test/**/*.test.ts'], testTimeout: 20_000 } });
