import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One copy of graphql for our files, yoga and Pothos (its ESM build would be a second realm).
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['tests/**/*.test.ts'],
    // Starts a real Neo4j for the run (or uses CMDB_TEST_NEO4J_URI / a running `npm run neo4j:start`);
    // the Kubernetes API server starts only when a test calls requireKube() (or uses `npm run k8s:start`'s).
    globalSetup: ['tests/infra/global-setup.ts', 'tests/infra/kube-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
