// `npm run schema:graphql`: writes graph-api/schema.graphql from the code (tests/graph-api/sdl.test.ts keeps them equal).
import { writeFileSync } from 'node:fs';
import { printApiSchema, SDL_FILE } from '../graph-api/sdl.ts';

writeFileSync(SDL_FILE, printApiSchema());
process.stdout.write(`wrote ${SDL_FILE}\n`);
