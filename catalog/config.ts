import picomatch from 'picomatch';
import { yaml } from './yamlLib.ts';
import { DEFAULT_LIMITS, type ParseLimits } from './parseBlob.ts';
import type { Violation } from './types.ts';
import { TOO_DEEP_MESSAGE, tooDeepIn } from './yamlDepth.ts';
import { allPositions, positionOf, type Position } from './yamlPositions.ts';

/** The root file that configures the controller for a config repo. */
export const CONFIG_FILE = 'cmdb.yaml';

/** cmdb.yaml, with defaults applied. Sections other issues add live beside these. */
export interface CatalogConfig {
  include: string[];
  exclude: string[];
  limits: ParseLimits;
  /**
   * Kinds (lower case) whose entities may live outside the repository
   * (`references: {external: [group, user]}`, as when an identity provider
   * holds the groups and users): a reference to a missing one is a warning.
   */
  external: string[];
  /** The whole document, for settings read elsewhere (policies, approvals). */
  raw: Record<string, unknown>;
  /**
   * Line and column of every node of the document by JSON pointer (of a map
   * entry: its key), so that settings read elsewhere are reported where they
   * are. Plain data: the config is cached with the snapshot table.
   */
  positions: Record<string, Position>;
}

export const DEFAULT_CONFIG: CatalogConfig = {
  include: ['**/*.yaml', '**/*.yml'],
  exclude: [],
  limits: DEFAULT_LIMITS,
  external: [],
  raw: {},
  positions: {},
};

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Parses cmdb.yaml; every problem is a violation at its position and the default stands in. */
export function parseConfig(text: string, file = CONFIG_FILE): { config: CatalogConfig; violations: Violation[] } {
  const deep = tooDeepIn(text);
  if (deep) return { config: DEFAULT_CONFIG, violations: [{ rule: 'yaml', severity: 'error', message: TOO_DEEP_MESSAGE, file, line: deep[0], column: deep[1] }] };
  const counter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const violations: Violation[] = [];
  const problem = (pointer: string, message: string) => {
    const [line, column] = positionOf(doc, counter, pointer);
    violations.push({ rule: 'config', severity: 'error', message, file, line, column });
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // Without prettyErrors the error carries no linePos: place it from its offset.
    const at = e.linePos?.[0] ?? counter.linePos(e.pos[0]);
    const [line, column] = at.line > 0 ? [at.line, at.col] : [1, 1];
    return { config: DEFAULT_CONFIG, violations: [{ rule: 'yaml', severity: 'error', message: e.message.split('\n')[0], file, line, column }] };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: DEFAULT_LIMITS.maxAliasCount }) ?? {};
  } catch (e) {
    problem('', (e as Error).message);
    return { config: DEFAULT_CONFIG, violations };
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problem('', 'must be a mapping with include, exclude and limits');
    return { config: DEFAULT_CONFIG, violations };
  }
  const r = raw as Record<string, unknown>;
  const config: CatalogConfig = { ...DEFAULT_CONFIG, limits: { ...DEFAULT_LIMITS }, raw: r, positions: allPositions(doc, counter) };
  for (const key of ['include', 'exclude'] as const) {
    if (r[key] === undefined) continue;
    if (isStringList(r[key])) config[key] = r[key];
    else problem(`/${key}`, `${key} must be a list of glob patterns`);
  }
  const limits = (r.limits ?? {}) as Record<string, unknown>;
  for (const key of ['maxFileBytes', 'maxAliasCount'] as const) {
    if (limits[key] === undefined) continue;
    if (isPositiveInt(limits[key])) config.limits[key] = limits[key];
    else problem(`/limits/${key}`, `limits.${key} must be a positive integer`);
  }
  config.external = externalKinds(r.references, problem);
  return { config, violations };
}

const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/** `references.external`: a list of kind names; anything else is a problem at its position. */
function externalKinds(references: unknown, problem: (pointer: string, message: string) => void): string[] {
  if (references === undefined || references === null) return [];
  if (typeof references !== 'object' || Array.isArray(references)) {
    problem('/references', 'references must be a mapping, as in references: {external: [group, user]}');
    return [];
  }
  const external = (references as Record<string, unknown>).external;
  if (external === undefined || external === null) return [];
  if (!Array.isArray(external)) {
    problem('/references/external', 'references.external must be a list of kinds, as in [group, user]');
    return [];
  }
  const kinds: string[] = [];
  external.forEach((kind, i) => {
    if (typeof kind === 'string' && KIND.test(kind)) kinds.push(kind.toLowerCase());
    else problem(`/references/external/${i}`, `references.external[${i}] must be a kind name, such as group or user`);
  });
  return kinds;
}

/**
 * Line and column in cmdb.yaml of the node a JSON pointer names, else of its
 * nearest ancestor there; 1:1 when none is known (a config cached before
 * positions were kept).
 */
export function configPosition(config: Partial<Pick<CatalogConfig, 'positions'>>, pointer: string): Position {
  const positions = config.positions ?? {};
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const at = positions[p];
    if (at) return at;
    if (p === '') return [1, 1];
  }
}

/** A predicate telling which paths hold entities under this config. */
export function fileMatcher(config: CatalogConfig): (path: string) => boolean {
  const include = globMatcher(config.include, { dot: false });
  const exclude = config.exclude.length > 0 ? globMatcher(config.exclude, { dot: true }) : () => false;
  return (path) => path !== CONFIG_FILE && include(path) && !exclude(path);
}

/**
 * What picomatch's matcher of these globs answers (a path equal to a glob,
 * or one its regex matches; never the empty path), without the two objects
 * that matcher makes per call: ~25 ms less for the 100,000 paths of a big
 * commit, before its parse can start.
 */
export function globMatcher(globs: readonly string[], options: { dot: boolean }): (path: string) => boolean {
  const regexes = globs.map((glob) => picomatch.makeRe(glob, { ...options, windows: process.platform === 'win32' }));
  return (path) => {
    if (path === '') return false;
    for (let i = 0; i < globs.length; i++) if (path === globs[i] || regexes[i].test(path)) return true;
    return false;
  };
}
