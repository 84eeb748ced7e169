/**
 * graphql-js as Node loads it for graphql-yoga and Pothos: its CommonJS entry.
 * graphql 16 also ships an ESM copy (`index.mjs`) that Vite-based resolvers
 * (vitest) pick for `import 'graphql'`; values of two copies fail graphql's
 * instanceof checks ("Cannot use GraphQLObjectType from another module or
 * realm") and GraphQLErrors get masked. So every graph-api file imports graphql from here.
 */
export * from 'graphql/index.js';
