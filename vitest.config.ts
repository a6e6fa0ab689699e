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
    // Integration tests start real servers and databases: two files at a time suit a 2-core machine.
    maxWorkers: 2,
  },
});
