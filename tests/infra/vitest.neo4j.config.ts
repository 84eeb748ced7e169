// Runs only tests/infra's own tests, with the Neo4j globalSetup:
//   npx vitest run --config tests/infra/vitest.neo4j.config.ts
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/infra/**/*.test.ts'],
    globalSetup: ['tests/infra/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
