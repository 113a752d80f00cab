import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Examples import the package by name; tests run them against the sources, not a stale dist/.
    alias: [{ find: /^ensemblekit$/, replacement: fileURLToPath(new URL('./lib/index.ts', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Native work is CPU-bound on a 2-core machine: run files in forked processes, a few at a time,
    // so each test's thread budget is real and a native crash takes one file down, not the run.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
