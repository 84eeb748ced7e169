import { Ajv } from 'ajv';
import { addFormats } from './formats.ts';
import { HINT_KEYWORD } from './fragments.ts';

/**
 * A configured ajv instance (JSON Schema draft-07). allErrors: a document's
 * problems are reported at once; verbose: errors carry the failing schema and
 * value, which messages.ts turns into readable text. Strict about unknown
 * keywords (a typo in a class schema is an error), not about types or
 * `required` without `properties`. Referenced schemas are compiled once and
 * called, not inlined, and generated code is not optimized: both halve
 * compile time at no measurable validation cost. `validateSchemas: false`
 * skips checking schemas against the meta-schema (for the trusted built-ins,
 * which tests check). Never logs.
 */
export function createAjv(options: { validateSchemas: boolean }): Ajv {
  const ajv = new Ajv({
    validateSchema: options.validateSchemas,
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
  });
  ajv.addKeyword({ keyword: HINT_KEYWORD, schemaType: 'string' });
  addFormats(ajv);
  return ajv;
}
