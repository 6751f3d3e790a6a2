// Three suites (ARCHITECTURE.md, "Testing layers"), each runnable alone:
//   unit         `*.test.ts` beside the code: pure, no root, milliseconds
//   integration  `*.int.test.ts`: real processes, sockets, runc, mounts, namespaces (root)
//   e2e          `e2e/**/*.e2e.test.ts`: several lab hosts driven through the real CLI (root)
import { defineConfig } from 'vitest/config';

const exclude = ['node_modules/**', 'dist/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...exclude, '**/*.int.test.ts', '**/*.e2e.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude,
          globalSetup: ['e2e/require-root.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          exclude,
          globalSetup: ['e2e/require-root.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
