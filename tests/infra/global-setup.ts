/**
 * vitest globalSetup: one real Neo4j for the whole test run.
 *
 * - CMDB_TEST_NEO4J_URI set: that server is used (checked to answer).
 * - else a server started by `npm run neo4j:start` (tests/infra/.work/neo4j/state.json) that answers is used;
 * - else one is started here on a free loopback port and stopped after the run.
 *
 * When none can be had: with CI=true the run fails here; otherwise the tests
 * that call requireNeo4j() fail with the reason (neo4jError).
 */
import type { TestProject } from 'vitest/node';
import { runningNeo4jUri } from './neo4j-cli.ts';
import { startNeo4j, verifyBolt, type Neo4jServer } from './neo4j.ts';
import type {} from './neo4j-test-env.ts'; // the ProvidedContext keys

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const verbose = process.env.CMDB_NEO4J_VERBOSE === '1';
  const log = (line: string): void => {
    if (verbose || line.startsWith('[neo4j]')) console.error(line);
  };
  let server: Neo4jServer | undefined;
  try {
    const fromEnv = process.env.CMDB_TEST_NEO4J_URI?.trim();
    let uri: string;
    if (fromEnv) {
      await verifyBolt(fromEnv, 10_000).catch((error: unknown) => {
        throw new Error(`CMDB_TEST_NEO4J_URI=${fromEnv} does not answer: ${(error as Error).message}`, { cause: error });
      });
      uri = fromEnv;
      log(`[neo4j] using CMDB_TEST_NEO4J_URI=${uri}`);
    } else {
      const running = await runningNeo4jUri();
      if (running) {
        uri = running;
        log(`[neo4j] using the server started by npm run neo4j:start at ${uri}`);
      } else {
        const started = Date.now();
        server = await startNeo4j({ log });
        uri = server.uri;
        log(`[neo4j] started for this test run in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    }
    project.provide('neo4jUri', uri);
    project.provide('neo4jError', '');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') {
      throw new Error(`Neo4j for the tests could not be started (CI=true, so the run fails):\n${reason}`, { cause: error });
    }
    console.error(`[neo4j] not available; tests that need it will fail:\n${reason}`);
    project.provide('neo4jUri', '');
    project.provide('neo4jError', reason);
  }
  const running = server;
  if (!running) return undefined;
  return async () => {
    await running.stop();
  };
}
