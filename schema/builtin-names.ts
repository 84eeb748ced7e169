import { BUILTIN_KIND_DEFINITIONS } from './builtin-kinds.ts';

const BUILTIN_KIND_NAMES = new Map(BUILTIN_KIND_DEFINITIONS.map((d) => [d.kind.toLowerCase(), d.kind]));

/** The built-in kind `kind` names (case-insensitive), if any. */
export const builtinKindNamed = (kind: string): string | undefined => BUILTIN_KIND_NAMES.get(kind.toLowerCase());

/** Why a CIClass may not declare `kind`, a built-in kind. */
export const redeclaresBuiltin = (kind: string): string => `"${kind}" is the built-in kind ${builtinKindNamed(kind)}; choose another name`;
