/**
 * `changeWindows(from, to)` against a real `cmdb serve --reconcile`: the
 * catalog's ChangeWindow entities overlapping the period, compiled as the
 * `windows` evaluation step compiles them, with the changes merged inside;
 * `openChanges`, what the GitHub controller keeps of open pull requests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOpenChanges, OPEN_CHANGES_DIR, OpenChanges } from '../../controller/github/OpenChanges.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { createGraphqlHandler } from '../../graph-api/server.ts';
import { serveRoutes } from '../helpers/http.ts';
import { entity } from '../helpers/gitRepo.ts';
import { CHANGES } from '../incidents/kpiFixture.ts';
import { startChangeServer, type ChangeServer } from './changeServer.ts';

let server: ChangeServer;
const window = (name: string, spec: Record<string, unknown>, description?: string) =>
  entity('ChangeWindow', name, { ...spec, ...(description ? { description } : {}) });

beforeAll(async () => {
  server = await startChangeServer({
    files: {
      'team.yaml': entity('Group', 'team', { type: 'team' }),
      'api.yaml': entity('Component', 'api', { type: 'service', lifecycle: 'production', owner: 'group:team' }),
      'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'group:team' }),
      'web.yaml': entity('Component', 'web', { type: 'website', lifecycle: 'production', owner: 'group:team' }),
      // Frozen for resources only: of #2 (db) and #3 (web), merged inside it, it applies to #2.
      'db-freeze.yaml': window('db-freeze', { type: 'freeze', start: '2026-03-02T00:00:00Z', end: '2026-03-04T00:00:00Z', appliesTo: "entity.kind == 'resource'" }),
      'freeze.yaml': window('spring-freeze', { type: 'freeze', start: '2026-03-02T00:00:00Z', end: '2026-03-04T00:00:00Z' }, 'Quarter close'),
      'patching.yaml': window('sunday-patching', { type: 'maintenance', start: '2026-03-08T01:00:00Z', end: '2026-03-08T03:00:00Z', appliesTo: "entity.kind == 'component'" }),
      'later.yaml': window('summer-freeze', { type: 'freeze', start: '2026-07-01T00:00:00Z', end: '2026-07-15T00:00:00Z' }),
      // Not a valid window (end before start): the catalog refuses it, so it is not served.
      'bad.yaml': window('backwards', { type: 'freeze', start: '2026-03-05T00:00:00Z', end: '2026-03-03T00:00:00Z' }),
    },
    changes: CHANGES,
  });
}, 120_000);
afterAll(async () => server?.close());

const WINDOWS = `query($from: String!, $to: String!) { changeWindows(from: $from, to: $to) { name ref kind start end description appliesTo mergedChanges { id mergedAt } conflictingChanges { id } } }`;

describe('changeWindows', () => {
  it('lists the windows overlapping the period, by start, with what they apply to and the changes merged inside', async () => {
    const res = await server.gql(WINDOWS, { from: '2026-03-01T00:00:00Z', to: '2026-03-09T00:00:00Z' });
    expect(res.errors).toBeUndefined();
    expect(res.data.changeWindows).toEqual([
      {
        name: 'db-freeze',
        ref: 'changewindow:default/db-freeze',
        kind: 'FREEZE',
        start: '2026-03-02T00:00:00Z',
        end: '2026-03-04T00:00:00Z',
        description: null,
        appliesTo: "entity.kind == 'resource'",
        mergedChanges: [
          { id: 'acme/config#2', mergedAt: '2026-03-02T11:00:00Z' },
          { id: 'acme/config#3', mergedAt: '2026-03-03T00:00:00Z' },
        ],
        conflictingChanges: [{ id: 'acme/config#2' }],
      },
      {
        name: 'spring-freeze',
        ref: 'changewindow:default/spring-freeze',
        kind: 'FREEZE',
        start: '2026-03-02T00:00:00Z',
        end: '2026-03-04T00:00:00Z',
        description: 'Quarter close',
        appliesTo: null,
        // #2 merged 03-02 11:00 and #3 at 03-03 00:00; #1 (03-01) is before it.
        mergedChanges: [
          { id: 'acme/config#2', mergedAt: '2026-03-02T11:00:00Z' },
          { id: 'acme/config#3', mergedAt: '2026-03-03T00:00:00Z' },
        ],
        conflictingChanges: [{ id: 'acme/config#2' }, { id: 'acme/config#3' }],
      },
      {
        name: 'sunday-patching',
        ref: 'changewindow:default/sunday-patching',
        kind: 'MAINTENANCE',
        start: '2026-03-08T01:00:00Z',
        end: '2026-03-08T03:00:00Z',
        description: null,
        appliesTo: "entity.kind == 'component'",
        mergedChanges: [],
        conflictingChanges: [],
      },
    ]);
  });

  it('takes the period as [from, to): a window ending at `from` or starting at `to` is left out', async () => {
    const after = await server.gql(WINDOWS, { from: '2026-03-04T00:00:00Z', to: '2026-03-08T01:00:00Z' });
    expect(after.data.changeWindows).toEqual([]);
    const inside = await server.gql(WINDOWS, { from: '2026-03-03T23:59:59Z', to: '2026-03-08T01:00:01Z' });
    expect(inside.data.changeWindows.map((w: { name: string }) => w.name)).toEqual(['db-freeze', 'spring-freeze', 'sunday-patching']);
  });

  it('refuses a bad period with a clear message', async () => {
    const reversed = await server.gql(WINDOWS, { from: '2026-03-09T00:00:00Z', to: '2026-03-01T00:00:00Z' });
    expect(reversed.errors?.[0]).toMatchObject({ message: expect.stringContaining('"to" must be after "from"'), extensions: { code: 'BAD_USER_INPUT' } });
    const notTime = await server.gql(WINDOWS, { from: 'yesterday', to: '2026-03-01T00:00:00Z' });
    expect(notTime.errors?.[0]).toMatchObject({ message: '"from" is not an ISO 8601 time: "yesterday".', extensions: { code: 'BAD_USER_INPUT' } });
    const long = await server.gql(WINDOWS, { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(long.errors?.[0]).toMatchObject({ message: expect.stringContaining('at most 400 days'), extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('openChanges', () => {
  it('is an empty list on a server without GitHub', async () => {
    const res = await server.gql('{ openChanges { id } }');
    expect(res).toEqual({ data: { openChanges: [] } });
  });

  it('lists what the GitHub controller keeps of open pull requests, by repository then number', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-open-changes-'));
    const kept = new OpenChanges({ dir });
    const api = 'component:default/api';
    const db = 'resource:default/db';
    await kept.update('Acme/Config', 12, { title: 'bump db', head: 'b'.repeat(40), touched: [api, db], repository: 'Acme/Config', risk: 'high', decision: 'needs-approval', changed: [db], conflicts: [{ number: 3, title: 'move api', refs: [api] }] });
    await kept.update('Acme/Config', 3, { title: 'move api', head: 'a'.repeat(40), touched: [api] }); // as written before risk and the rest were kept
    await kept.update('acme/other', 1, { title: 'gone soon', head: 'c'.repeat(40), touched: [] });
    await kept.remove('acme/other', 1);
    fs.writeFileSync(path.join(dir, OPEN_CHANGES_DIR, 'acme', 'config', '99.json'), '{"title": "cut sh'); // a crash mid-write is left out
    const handler = createGraphqlHandler({ source: { store: new InMemoryGraphStore({}), openChanges: () => listOpenChanges(dir) }, logger: false });
    const http = await serveRoutes([{ methods: ['POST'], path: handler.path, handler: handler.handle }]);
    try {
      const res = await fetch(`${http.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ openChanges { id repository number title head risk decision changed touched conflicts { id number title refs } } }' }),
      });
      expect(await res.json()).toEqual({
        data: {
          openChanges: [
            { id: 'acme/config#3', repository: 'acme/config', number: 3, title: 'move api', head: 'a'.repeat(40), risk: null, decision: null, changed: [], touched: [api], conflicts: [] },
            {
              id: 'Acme/Config#12',
              repository: 'Acme/Config',
              number: 12,
              title: 'bump db',
              head: 'b'.repeat(40),
              risk: 'high',
              decision: 'needs-approval',
              changed: [db],
              touched: [api, db],
              conflicts: [{ id: 'Acme/Config#3', number: 3, title: 'move api', refs: [api] }],
            },
          ],
        },
      });
    } finally {
      await http.close();
      await handler.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
