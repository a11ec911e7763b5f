import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real sockets on loopback: generous per-test time, but every wait in a test is for an event.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // A test that prints to the console is a test whose logs escaped the captured logger.
    onConsoleLog: () => false,
    pool: 'forks',
  },
});
