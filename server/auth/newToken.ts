import { randomBytes } from 'node:crypto';
import type { Role } from '../../core/principal.ts';
import { sha256Hex, type TokenEntry } from './tokensFile.ts';

/** A new random token (256 bits, base64url, prefixed `cmdb_` so scanners and people recognise it) and its tokens-file entry. */
export function newToken(name: string, role: Role): { token: string; entry: TokenEntry } {
  const token = `cmdb_${randomBytes(32).toString('base64url')}`;
  return { token, entry: { name, role, sha256: sha256Hex(token) } };
}
