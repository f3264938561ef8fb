import { defineConfig } from 'vitest/config';

// Browser end-to-end tests: one real server process (global-setup.ts) and Debian's chromium
// driven by playwright-core. Files run one after another in a single fork: the machine may have
// two cores, and every file shares the server.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    globalSetup: ['tests/e2e/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 15_000,
  },
});
