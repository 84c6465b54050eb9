import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      // Checks on the workspace itself: toolchain, README and CI agreeing.
      // Packing and installing the four packages is slow: left out of `pnpm run test:fast` (OTA_TESTS=fast).
      {
        test: {
          name: 'workspace',
          include: ['test/**/*.test.ts'],
          exclude: process.env.OTA_TESTS === 'fast' ? ['test/published.test.ts'] : [],
        },
      },
      // Each package with a vitest.config.ts is one project.
      'openapi/vitest.config.ts',
      'packages/*/vitest.config.ts',
    ],
  },
});
