import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/quiet-workflow-commands.ts'],
    // Integration tests run real git, sharp, TLS servers and child processes on 2 cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
