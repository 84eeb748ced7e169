import { defineConfig } from 'vitest/config';

/**
 * The GitHub controller's suites alone, without the Neo4j global setup:
 * `npx vitest run -c tests/github/vitest.github.config.ts`. The ChangeStore
 * contract suite needs the test Neo4j: it runs with the main config only.
 */
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['tests/github/**/*.test.ts'],
    exclude: ['tests/github/stateStore.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
