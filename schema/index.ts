export { BUILTIN_KIND_DEFINITIONS } from './builtin-kinds.ts';
export { builtinEntitySchemas, compileAllBuiltins, SCHEMA_VERSION, sharedSchemas } from './builtin.ts';
export type { CIClassDefinition, EntityValidator, SchemaIssue } from './entity-validator.ts';
export { FORMATS } from './formats.ts';
export * from './kinds/index.ts';
export { builtinValidator, BUILTIN_KINDS, createValidator, SUPPORTED_API_VERSIONS, type ClassIssue, type CreatedValidator } from './validator.ts';
export { CEL_TIMESTAMP, CEL_TYPES, CEL_VARIABLES, celEnvironment, checkExpression, expressionIssues, expressionsOf, pointerLabel, type CelScope, type ExpressionProblem } from './expressions.ts';
