import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Document, LineCounter } from 'yaml';
import { positionAt, positionOf } from '../../catalog/yamlPositions.ts';
import { yaml } from '../../catalog/yamlLib.ts';
import { CmdbError } from '../../core/errors.ts';
import { isRole, ROLES, type Role } from '../../core/principal.ts';

/** One configured token: who it is, what it may do, and the hex SHA-256 of the secret (never the secret). */
export interface TokenEntry {
  name: string;
  role: Role;
  /** Lower-case hex SHA-256 of the token. */
  sha256: string;
}

const ENTRY_KEYS = ['name', 'role', 'sha256'] as const;
const SHA256 = /^[0-9a-fA-F]{64}$/;

/** Lower-case hex SHA-256 of a token, as the tokens file holds it. */
export const sha256Hex = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Reads and checks the tokens file; a missing or bad file is a CmdbError `config` naming it (and the line and column of the problem). */
export async function readTokensFile(file: string): Promise<TokenEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new CmdbError(`cannot read the tokens file (--tokens, CMDB_TOKENS_FILE): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { code: 'config', file, cause: e });
  }
  return parseTokensFile(text, file);
}

/**
 * Parses `tokens: [{name, role, sha256}]`. Every entry needs the three keys
 * and nothing else; a role outside viewer/responder/admin, a hash that is not
 * 64 hex digits, a name or hash given twice are errors at their line and column.
 */
export function parseTokensFile(text: string, file: string): TokenEntry[] {
  const counter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const [line, column] = positionAt(counter, e.pos[0]);
    throw new CmdbError(e.message.split('\n')[0], { code: 'config', file, line, column });
  }
  const fail = at(doc, counter, file);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return fail('', (e as Error).message);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('', 'the tokens file must be a mapping with a `tokens` list');
  for (const key of Object.keys(raw)) if (key !== 'tokens') fail(`/${key}`, `${key} is not a setting; the tokens file has one key, tokens`);
  const list = (raw as { tokens?: unknown }).tokens;
  if (!Array.isArray(list)) return fail(list === undefined ? '' : '/tokens', 'tokens must be a list of {name, role, sha256}');
  const names = new Map<string, number>();
  const hashes = new Map<string, number>();
  return list.map((item, i): TokenEntry => {
    const here = `/tokens/${i}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(here, `tokens[${i}] must be a mapping with ${ENTRY_KEYS.join(', ')}`);
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry))
      if (!(ENTRY_KEYS as readonly string[]).includes(key)) fail(`${here}/${key}`, `tokens[${i}].${key} is not a setting; an entry has ${ENTRY_KEYS.join(', ')}`);
    for (const key of ENTRY_KEYS) if (entry[key] === undefined || entry[key] === null) fail(here, `tokens[${i}] has no ${key}`);
    const { name, role, sha256 } = entry;
    if (typeof name !== 'string' || name.trim() === '') fail(`${here}/name`, `tokens[${i}].name must be a non-empty string`);
    if (!isRole(role)) fail(`${here}/role`, `tokens[${i}].role "${String(role)}" is not a role; roles are ${ROLES.join(', ')}`);
    if (typeof sha256 !== 'string' || !SHA256.test(sha256))
      fail(`${here}/sha256`, `tokens[${i}].sha256 must be the hex SHA-256 of the token (64 hex digits; \`cmdb token create\` prints it)`);
    const hash = (sha256 as string).toLowerCase();
    const sameName = names.get(name as string);
    if (sameName !== undefined) fail(`${here}/name`, `tokens[${i}].name "${name as string}" is also the name of tokens[${sameName}]; names identify who did what, so each is used once`);
    const sameHash = hashes.get(hash);
    if (sameHash !== undefined) fail(`${here}/sha256`, `tokens[${i}].sha256 is also the hash of tokens[${sameHash}]; one token is one name and one role`);
    names.set(name as string, i);
    hashes.set(hash, i);
    return { name: name as string, role: role as Role, sha256: hash };
  });
}

function at(doc: Document, counter: LineCounter, file: string) {
  return (pointer: string, message: string): never => {
    const [line, column] = positionOf(doc, counter, pointer);
    throw new CmdbError(message, { code: 'config', file, line, column });
  };
}
