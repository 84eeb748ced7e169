/** The fake's own checks: requests and responses GitHub's description does not allow are caught. */
import { afterEach, describe, expect, it } from 'vitest';
import { OpenApiContract } from './openapi.ts';
import { FakeGitHub } from './fakeGitHub.ts';

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const call = (method: string, path: string, body?: unknown, token = 'tok') =>
  fetch(`${fake!.url}${path}`, { method, headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('the GitHub fake checks every exchange against the OpenAPI description', () => {
  it('flags an operation GitHub does not have', async () => {
    fake = await FakeGitHub.start({ token: 'tok' });
    expect((await call('POST', '/repos/acme/config/check-run', {})).status).toBe(404);
    expect(fake.violations).toEqual(['POST /repos/acme/config/check-run: GitHub has no such operation']);
  });

  it('flags a request body that does not match, and an undeclared query parameter', async () => {
    fake = await FakeGitHub.start({ token: 'tok' });
    fake.addPull('acme/config', { number: 1, headSha: 'a'.repeat(40), headRef: 'x', baseRef: 'main', baseSha: 'b'.repeat(40) });
    await call('POST', '/repos/acme/config/check-runs', { head_sha: 'a'.repeat(40), conclusion: 'maybe' });
    await call('GET', '/repos/acme/config/pulls/1/reviews?per_page=100&sort=new');
    expect(fake.violations.join('\n')).toMatch(/checks\/create request body: \/ must have required property 'name'/);
    expect(fake.violations.join('\n')).toMatch(/checks\/create request body: \/conclusion must be equal to one of the allowed values/);
    expect(fake.violations.join('\n')).toMatch(/pulls\/list-reviews has no query parameter sort/);
  });

  it('validates responses against the documented status and schema', () => {
    const contract = OpenApiContract.load();
    const op = contract.match('POST', '/repos/acme/config/statuses/abc')!;
    expect(op.operationId).toBe('repos/create-commit-status');
    expect(contract.validateResponse(op, 200, {})).toEqual(['repos/create-commit-status does not document status 200 (documented: 201)']);
    expect(contract.validateResponse(op, 201, { state: 'pending' }).length).toBeGreaterThan(0);
    expect(contract.validateResponse(op, 201, contract.example(op.template, op.method, 201))).toEqual([]);
  });

  it('refuses requests without valid credentials', async () => {
    fake = await FakeGitHub.start({ token: 'tok' });
    expect((await call('GET', '/repos/acme/config/pulls/1', undefined, 'wrong')).status).toBe(401);
    expect(fake.authFailures).toEqual(['pulls/get: unknown token']);
  });
});
