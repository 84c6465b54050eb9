import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      // Checks on the workspace itself: toolchain, README and CI agreeing.
      { test: { name: 'workspace', include: ['test/**/*.test.ts'] } },
      // Each package with a vitest.config.ts is one project.
      'openapi/vitest.config.ts',
      'packages/*/vitest.config.ts',
    ],
  },
});
