import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from './graphql.ts';
import { createSchema } from './schema.ts';

/** Where the SDL is committed. */
export const SDL_FILE = fileURLToPath(new URL('./schema.graphql', import.meta.url));

/** How to bring SDL_FILE up to date. */
export const SDL_COMMAND = 'npm run schema:graphql';

/** The schema as SDL, types and fields sorted: what SDL_FILE holds. */
export const printApiSchema = (): string =>
  `# The GraphQL schema of gitops-cmdb, generated from graph-api/ by \`${SDL_COMMAND}\`: do not edit.\n\n${printSchema(lexicographicSortSchema(createSchema()))}\n`;
