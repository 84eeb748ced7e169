/** `cmdb token create`: a random token shown once and the tokens-file entry that lets it in. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../server/auth/Authenticator.ts';
import { parseTokensFile, sha256Hex } from '../../server/auth/tokensFile.ts';
import { cmdb } from '../helpers/cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-token-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const bearer = (token: string) => ({ headers: new Headers({ authorization: `Bearer ${token}` }) });

describe('cmdb token create', () => {
  it('prints a token and the YAML entry of its hash; pasted under tokens:, the token is that name and role', async () => {
    const r = await cmdb('token', 'create', '--name', 'pager bot', '--role', 'responder');
    expect(r.code).toBe(0);
    const token = /^ {2}(cmdb_[\w-]{43})$/m.exec(r.stdout)?.[1];
    const entry = /^ {2}- \{ .* \}$/m.exec(r.stdout)?.[0];
    expect(token).toBeDefined();
    expect(entry).toBe(`  - { name: "pager bot", role: responder, sha256: ${sha256Hex(token!)} }`);
    expect(r.stdout.split(token!).length - 1, 'the token is printed once').toBe(1);
    const file = path.join(dir, 'tokens.yaml');
    fs.writeFileSync(file, `tokens:\n${entry}\n`);
    expect(parseTokensFile(fs.readFileSync(file, 'utf8'), file)).toEqual([{ name: 'pager bot', role: 'responder', sha256: sha256Hex(token!) }]);
    const authenticator = await createAuthenticator({ settings: { tokensFile: file, anonymousRead: false } });
    expect(await authenticator.authenticate(bearer(token!))).toEqual({ name: 'pager bot', role: 'responder', via: 'token' });
  });

  it('makes a different token each time; --format json gives {token, entry}', async () => {
    const a = JSON.parse((await cmdb('token', 'create', '--name', 'a', '--role', 'admin', '--format', 'json')).stdout);
    const b = JSON.parse((await cmdb('token', 'create', '--name', 'a', '--role', 'admin', '--format', 'json')).stdout);
    expect(a.token).not.toBe(b.token);
    expect(a.entry).toEqual({ name: 'a', role: 'admin', sha256: sha256Hex(a.token) });
  });

  it('refuses an unknown role, a missing name, an empty name', async () => {
    const role = await cmdb('token', 'create', '--name', 'a', '--role', 'root');
    expect(role.code).not.toBe(0);
    expect(role.stderr).toContain("argument 'root' is invalid. Allowed choices are viewer, responder, admin");
    const missing = await cmdb('token', 'create', '--role', 'viewer');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("required option '--name <name>' not specified");
    const empty = await cmdb('token', 'create', '--name', ' ', '--role', 'viewer');
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('--name must not be empty');
  });
});
