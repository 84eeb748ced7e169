import { defineConfig } from 'vitest/config';

/** The notification suites alone, without the Neo4j global setup: `npx vitest run -c tests/incidents/notify.vitest.config.ts`. */
export default defineConfig({
  test: {
    include: ['tests/incidents/notify*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
