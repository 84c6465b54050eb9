import { defineProject } from 'vitest/config';

// Every test here runs whole conformance cases (devices, platforms, processes): seconds each when the machine
// is idle, several times that beside other test processes on two cores. 60 s is the limit of a test that hangs.
export default defineProject({ test: { name: 'conformance', include: ['test/**/*.test.ts'], testTimeout: 60_000 } });
