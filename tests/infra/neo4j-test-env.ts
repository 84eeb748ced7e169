/**
 * For tests that need the real Neo4j started by tests/infra/global-setup.ts:
 *
 *   const uri = requireNeo4j(); // bolt://127.0.0.1:PORT, or throws why there is none
 *
 * A test that needs Neo4j and cannot have one fails with the reason; it is
 * never skipped silently.
 */
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** bolt:// URI of the test Neo4j; '' when none could be had. */
    neo4jUri: string;
    /** Why neo4jUri is empty; '' when it is set. */
    neo4jError: string;
  }
}

/** The Bolt URI of the test Neo4j; throws with the reason when there is none. */
export function requireNeo4j(): string {
  const uri = inject('neo4jUri');
  if (uri) return uri;
  const reason = inject('neo4jError')
    || 'no Neo4j was provided: add "tests/infra/global-setup.ts" to test.globalSetup in the vitest config, or set CMDB_TEST_NEO4J_URI';
  throw new Error(`This test needs Neo4j, which is not available: ${reason}`);
}
