import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two workers match the machine's two cores. Suites that restart a broker run in a second, sequential
    // pass (`npm run test:brokers`), so a restart never pulls a broker from under another suite.
    maxWorkers: 2,
  },
})
