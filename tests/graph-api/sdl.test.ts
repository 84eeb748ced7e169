import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchema, lexicographicSortSchema, printSchema } from '../../graph-api/graphql.ts';
import { printApiSchema, SDL_COMMAND, SDL_FILE } from '../../graph-api/sdl.ts';

describe('graph-api/schema.graphql', () => {
  it('is the schema the code builds', () => {
    const committed = readFileSync(SDL_FILE, 'utf8');
    const built = printApiSchema();
    // A readable failure first, then the exact comparison.
    if (committed !== built) expect.fail(`graph-api/schema.graphql differs from the schema the code builds; run \`${SDL_COMMAND}\` and commit the result.`);
    expect(committed).toBe(built);
  });

  it('is valid SDL that round-trips', () => {
    const committed = readFileSync(SDL_FILE, 'utf8');
    expect(printSchema(lexicographicSortSchema(buildSchema(committed)))).toBe(committed.slice(committed.indexOf('\n\n') + 2, -1));
  });
});
