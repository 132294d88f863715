import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'web/**/*.test.ts', 'institution-portal/**/*.test.ts', 'admin/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // two cores: while one file waits on PostgreSQL, Redis or Chromium the other runs (the default is one worker)
    maxWorkers: 2,
    // a worker imports the app once and runs its files one after another (each still opens its own
    // database copy and container): importing the server graph for every file cost more than a minute
    isolate: false,
    // migrates once per run into templates that every file copies
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
