import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'web/**/*.test.ts', 'institution-portal/**/*.test.ts', 'admin/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // two cores: while one file waits on PostgreSQL, Redis or Chromium the other runs (the default is one worker)
    maxWorkers: 2,
    // migrates once per run into templates that every file copies
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
