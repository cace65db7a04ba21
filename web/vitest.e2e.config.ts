import { defineConfig } from 'vitest/config';

/** The Chromium journey (e2e/journey.test.ts): node environment, one file, generous timeouts. */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
