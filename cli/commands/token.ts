import { CmdbError } from '../../core/errors.ts';
import type { Role } from '../../core/principal.ts';
import { newToken } from '../../server/auth/newToken.ts';
import { EXIT } from '../exitCodes.ts';
import type { Output } from '../output.ts';

export interface TokenCreateOptions {
  name: string;
  role: Role;
  format: 'text' | 'json';
}

/** Prints the token (once: only its hash is kept anywhere) and the tokens-file entry, as text or JSON `{token, entry}`. */
export async function runTokenCreate(o: TokenCreateOptions, io: Output): Promise<number> {
  const name = o.name.trim();
  if (name === '') throw new CmdbError('--name must not be empty', { code: 'usage' });
  const { token, entry } = newToken(name, o.role);
  if (o.format === 'json') {
    io.out(JSON.stringify({ token, entry }, null, 2));
    return EXIT.ok;
  }
  io.out(
    [
      `Token for ${name} (${o.role}); it is shown only now, store it as a secret:`,
      '',
      `  ${token}`,
      '',
      'Add this entry to the tokens file (cmdb serve --tokens FILE), under `tokens:`:',
      '',
      `  - { name: ${JSON.stringify(entry.name)}, role: ${entry.role}, sha256: ${entry.sha256} }`,
    ].join('\n'),
  );
  return EXIT.ok;
}
