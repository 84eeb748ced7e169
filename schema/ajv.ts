import { createRequire } from 'node:module';
import type { Ajv } from 'ajv';
import { addFormats } from './formats.ts';
import { HINT_KEYWORD } from './fragments.ts';

let loaded: typeof import('ajv') | undefined;

/**
 * The ajv package, loaded on first call (synchronously: it is CommonJS). A
 * process validating only built-in kinds never loads it (~20 ms): their
 * validators are precompiled (compiled-validators.ts).
 */
export function ajvModule(): typeof import('ajv') {
  return (loaded ??= createRequire(import.meta.url)('ajv') as typeof import('ajv'));
}

/** The options of every ajv instance; standalone.ts compiles the built-ins with the same. */
export const AJV_OPTIONS = {
  code: { optimize: false },
  allErrors: true,
  verbose: true,
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  logger: false,
  inlineRefs: false,
} as const;

/**
 * A configured ajv instance (JSON Schema draft-07). allErrors: a document's
 * problems are reported at once; verbose: errors carry the failing schema and
 * value, which messages.ts turns into readable text. Strict about unknown
 * keywords (a typo in a class schema is an error), not about types or
 * `required` without `properties`. Referenced schemas are compiled once and
 * called, not inlined, and generated code is not optimized: both halve
 * compile time at no measurable validation cost. `validateSchemas: false`
 * skips checking schemas against the meta-schema (for the trusted built-ins,
 * which tests check, and for class schemas, which compileClass checks first). `source`: keep the generated code, for standalone
 * modules. Never logs.
 */
export function createAjv(options: { validateSchemas: boolean; source?: boolean }): Ajv {
  const ajv = new (ajvModule().Ajv)({
    ...AJV_OPTIONS,
    validateSchema: options.validateSchemas,
    code: { ...AJV_OPTIONS.code, ...(options.source ? { source: true, esm: true, lines: true } : {}) },
  });
  ajv.addKeyword({ keyword: HINT_KEYWORD, schemaType: 'string' });
  addFormats(ajv);
  return ajv;
}
