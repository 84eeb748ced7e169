// Temporary: the graph tests with the Neo4j globalSetup, until vitest.config.ts has it.
//   npx vitest run --config tests/graph/vitest.neo4j.config.ts
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/graph/**/*.test.ts'],
    globalSetup: ['tests/infra/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
