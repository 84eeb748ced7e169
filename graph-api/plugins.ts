import { createGraphQLError, maskError, type MaskError, type Plugin } from 'graphql-yoga';
import { isCmdbError } from '../core/errors.ts';
import { GraphQLError, parse } from './graphql.ts';
import { costLimitError, depthLimitRule, type QueryLimits } from './limits.ts';

/** Most tokens a document may have; stops huge documents before validation. */
export const MAX_TOKENS = 10_000;

/**
 * Enforces QueryLimits: depth as a validation rule (cached with the document),
 * cost before execution, when the request's variables are known.
 */
export function useQueryLimits(limits: QueryLimits): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(depthLimitRule(limits.maxDepth));
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
