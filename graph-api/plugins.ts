import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createGraphQLError, maskError, type MaskError, type Plugin } from 'graphql-yoga';
import { isCmdbError } from '../core/errors.ts';
import type { ApiErrorCode } from './errors.ts';
import { GraphQLError, parse } from './graphql.ts';
import { costLimitError, type QueryLimits } from './limits.ts';

/** Most tokens a document may have; stops huge documents before validation. */
export const MAX_TOKENS = 10_000;

/**
 * Reports armor's rejection as our error: the message says what was found
 * and the limit (armor's own starts with a misleading "Syntax Error:"), with
 * `extensions.code` for clients.
 */
function rejectAs(code: ApiErrorCode, explain: (found: string, max: number) => string, max: number) {
  // graphql-armor's GraphQLArmorRejectCallback, written structurally (its types package is not a direct dependency).
  return (context: { reportError(error: GraphQLError): void } | null, error: { message: string }): void => {
    const found = /found (\d+)/.exec(error.message)?.[1];
    const message = found === undefined ? error.message.replace(/^Syntax Error: /, '') : explain(found, max);
    context?.reportError(new GraphQLError(message, { extensions: { code } }));
  };
}

/**
 * Enforces QueryLimits: depth, aliases and directives with graphql-armor's
 * validation rules (cached with the document); cost before execution, when
 * the request's variables are known (graphql-armor's cost rule reads
 * neither variables nor field weights, so it is off); tokens: useMaxTokens.
 */
export function useQueryLimits(limits: QueryLimits): Plugin {
  const armor = EnvelopArmorPlugin({
    blockFieldSuggestion: { enabled: false }, // the schema is public (introspection, GraphiQL): suggestions help
    maxTokens: { enabled: false }, // graphql-js' own parser limit: useMaxTokens
    costLimit: { enabled: false },
    maxDepth: {
      n: limits.maxDepth,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [rejectAs('QUERY_TOO_DEEP', (found, max) => `Query is ${found} levels deep; the maximum is ${max}. Ask for fewer nested levels.`, limits.maxDepth)],
    },
    maxAliases: {
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [rejectAs('QUERY_TOO_MANY_ALIASES', (found, max) => `Query has ${found} aliases; the maximum is ${max}. Split it into several requests.`, limits.maxAliases)],
    },
    maxDirectives: {
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [rejectAs('QUERY_TOO_MANY_DIRECTIVES', (found, max) => `Query has ${found} directives; the maximum is ${max}.`, limits.maxDirectives)],
    },
  });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(armor as Plugin);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const error = costLimitError(args.schema, args.document, args.operationName, args.variableValues, limits);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

/** Parses with graphql-js' `maxTokens` guard. */
export function useMaxTokens(maxTokens: number = MAX_TOKENS): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => parse(source, { ...options, maxTokens }));
    },
  };
}

/**
 * Yoga's masking, except that a CmdbError (an infrastructure or usage failure
 * with a message written for users, e.g. the graph store is unreachable) keeps
 * its message, with `extensions.code` = `CMDB_<CODE>`. `internal` errors stay masked.
 */
export const maskApiError: MaskError = (error, message, isDev) => {
  const original = (error as { originalError?: unknown }).originalError ?? error;
  if (!isCmdbError(original) || original.code === 'internal') return maskError(error, message, isDev);
  const located = error instanceof GraphQLError ? { path: error.path, nodes: error.nodes } : {};
  return createGraphQLError(original.format(), {
    ...located,
    extensions: { code: `CMDB_${original.code.toUpperCase().replace(/-/g, '_')}` },
  });
};
