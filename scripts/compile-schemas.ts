/**
 * `npm run schema:compile`: writes schema/compiled-validators.ts, the built-in
 * schemas compiled ahead of time (schema/standalone.ts). Run it after changing
 * a built-in schema; tests/schema/compiled-validators.test.ts says when it is due.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPILED_VALIDATORS_PATH, compiledValidatorsModule } from '../schema/standalone.ts';

const file = path.join(fileURLToPath(new URL('..', import.meta.url)), COMPILED_VALIDATORS_PATH);
fs.writeFileSync(file, compiledValidatorsModule());
process.stdout.write(`${COMPILED_VALIDATORS_PATH}\n`);
