import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests import the workspace packages from their TypeScript sources ("source" export condition).
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests start real servers and databases: two files at a time suit a 2-core machine. `npm test`
    // runs the browser tests afterwards, one file at a time: Chromium starved of CPU by a load test next to it
    // makes timing-sensitive UI checks flaky.
    maxWorkers: 2,
  },
});
