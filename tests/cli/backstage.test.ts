import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Violation } from '../../catalog/types.ts';
import { cmdb } from '../helpers/cli.ts';
import { TestRepo } from '../helpers/gitRepo.ts';

/* A catalog shaped like Backstage's own published examples: core kinds, kinds added since (Environment, AiResource), an MCP server API, an email owner, a Location. */
const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: example-root
spec:
  targets: [./all.yaml]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: guests
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: examples
spec:
  owner: guests
---
apiVersion: backstage.io/v1alpha1
kind: Environment
metadata:
  name: production
spec:
  owner: guests
  system: examples
  clusters: [eu-1, us-1]
---
apiVersion: backstage.io/v1alpha1
kind: AiResource
metadata:
  name: frontend-design
spec:
  type: skill
  lifecycle: production
  owner: guests
  system: examples
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: backstage-mcp-actions
spec:
  type: mcp-server
  lifecycle: experimental
  owner: guests
  system: examples
  remotes:
    - type: streamable-http
      url: http://internal.backstage.company:7007/api/mcp-actions/v1
---
apiVersion: backstage.io/v1beta1
kind: Component
metadata:
  name: example-website
spec:
  type: website
  lifecycle: experimental
  owner: someone@example.com
  system: examples
  providesApis: [backstage-mcp-actions]
`;

let repo: TestRepo;
let cacheDir: string;
let wild: string;
let broken: string;

beforeAll(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-backstage-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  repo = TestRepo.create();
  wild = repo.commit({ 'catalog/all.yaml': CATALOG });
  broken = repo.commit({
    'catalog/all.yaml': CATALOG.replace('  remotes:\n    - type: streamable-http\n      url: http://internal.backstage.company:7007/api/mcp-actions/v1\n', '  definition: none\n').replace(
      'name: frontend-design',
      'name: frontend-design-',
    ),
  });
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

async function validate(ref: string): Promise<{ code: number; report: { entities: number; valid: boolean; violations: Violation[] } }> {
  const r = await cmdb('validate', '--repo', repo.dir, '--ref', ref, '--format', 'json');
  return { code: r.code, report: JSON.parse(r.stdout) };
}

describe('cmdb validate on a Backstage catalog as found in the wild', () => {
  it('reads Environment and AiResource, takes an mcp-server API with remotes, and judges an email owner as a reference', async () => {
    const { code, report } = await validate(wild);
    expect(report.entities).toBe(6);
    expect(report.violations).toEqual([
      {
        rule: 'skipped-kind',
        severity: 'warning',
        message: 'kind Location organises a Backstage catalog; gitops-cmdb does not model it and skips the document',
        file: 'catalog/all.yaml',
        line: 1,
        column: 1,
      },
      {
        rule: 'dangling-reference',
        severity: 'error',
        message: 'spec.owner refers to group:default/someone@example.com, which does not exist',
        ref: 'component:default/example-website',
        target: 'group:default/someone@example.com',
        file: 'catalog/all.yaml',
        line: 62,
        column: 3,
      },
    ]);
    expect(code).toBe(1);
  });

  it('keeps the owner and system of kinds read generically', async () => {
    for (const ref of ['environment:production', 'airesource:frontend-design']) {
      const impact = await cmdb('impact', ref, '--repo', repo.dir, '--ref', wild, '--format', 'json');
      expect(impact.code).toBe(0);
      const reached = (JSON.parse(impact.stdout) as { entities: Array<{ ref: string }> }).entities.map((e) => e.ref);
      expect(reached).toEqual(['system:default/examples']); // part -> whole; the owner is not an impact direction
    }
  });

  it('refuses an mcp-server API without remotes and a name ending in "-", at their lines', async () => {
    const { code, report } = await validate(broken);
    expect(code).toBe(1);
    const errors = report.violations.filter((v) => v.rule === 'schema');
    expect(errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('starting and ending with a letter or digit'), line: 35, column: 3 }),
      expect.objectContaining({ message: 'missing required field "remotes"', line: 46, column: 1 }),
    ]);
    expect(report.violations.map((v) => v.message).join('\n')).not.toMatch(/did you mean/);
  });
});
