/**
 * `cmdb serve --reconcile` serving a web build over the KPI fixture
 * (tests/graph-api/kpiServer.ts with the UI): for tests/web/kpis.test.ts and
 * the KPI screenshot (scripts/screenshots-kpis.ts).
 */
import type { Runtime } from '../../server/Runtime.ts';
import { startKpiServer } from '../graph-api/kpiServer.ts';

export async function serveKpiFixture(webDir: string): Promise<{ runtime: Runtime; close(): Promise<void> }> {
  const { runtime, close } = await startKpiServer({ webDir });
  return { runtime, close };
}
