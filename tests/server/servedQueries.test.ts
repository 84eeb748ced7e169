/**
 * The catalog queries of `cmdb serve` as it wires them (startRuntime on a real
 * Git repository, real HTTP): `search` answers from the served commit's
 * index, and `catalog(at:)` answers from an older commit of the followed
 * branch, where an entity deleted since is still found.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let before: string;
let runtime: Runtime;

beforeAll(async () => {
  repo = TestRepo.create();
  const svc = (name: string) => entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'team' });
  before = repo.commit({ 'team.yaml': entity('Group', 'team', { type: 'team' }), 'legacy.yaml': svc('legacy-billing'), 'billing.yaml': svc('billing') });
  repo.commit({ 'legacy.yaml': undefined }, 'retire legacy-billing');
  runtime = await startRuntime({ flags: { repo: repo.dir, ref: 'main', port: 0, poll: 0 }, env: {}, log: pino({ level: 'silent' }), out: () => undefined });
});
afterAll(async () => {
  await runtime?.shutdown();
  repo?.remove();
});

const gql = async (query: string) => {
  const res = await fetch(`${runtime.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string }> };
};

it('searches the served commit and travels to an older one, where a deleted entity still is', async () => {
  const now = await gql('{ search(text: "billing", first: 10) { ref } entity(ref: "component:legacy-billing") { ref } }');
  expect(now.errors).toBeUndefined();
  expect(now.data).toEqual({ search: [{ ref: 'component:default/billing' }], entity: null });

  const then = await gql(`{ catalog(at: "${before}") { commit { sha } entity(ref: "component:legacy-billing") { ref } search(text: "billing", first: 10) { ref } } }`);
  expect(then.errors).toBeUndefined();
  expect(then.data.catalog.commit.sha).toBe(before);
  expect(then.data.catalog.entity).toEqual({ ref: 'component:default/legacy-billing' });
  expect(then.data.catalog.search.map((e: { ref: string }) => e.ref).sort()).toEqual(['component:default/billing', 'component:default/legacy-billing']);
});

it('refuses batched operations (an array of operations in one request): one operation per request, each limited on its own', async () => {
  const res = await fetch(`${runtime.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ commit }' }, { query: '{ commit }' }]) });
  expect(res.status).toBe(400);
  const body = (await res.json()) as { errors?: Array<{ message: string }> };
  expect(body.errors?.[0].message).toBeTruthy();
});
