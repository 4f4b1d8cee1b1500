import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // A missing golden fails everywhere, not only under CI; `vitest -u` writes them on purpose.
    update: 'none',
    projects: [
      {
        test: {
          name: 'unit',
          setupFiles: ['test/store-setup.ts'],
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.priv.test.ts'],
        },
      },
      {
        // Tests on real namespaces and processes: one file at a time, since gc looks machine-wide.
        test: {
          name: 'priv',
          setupFiles: ['test/store-setup.ts'],
          include: ['src/**/*.priv.test.ts', 'test/**/*.priv.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
