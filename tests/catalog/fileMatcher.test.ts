import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE, DEFAULT_CONFIG, fileMatcher, globMatcher } from '../../catalog/config.ts';

const PATHS = [
  '',
  'a.yaml',
  'a.yml',
  'a.YAML',
  'cmdb.yaml',
  'sub/cmdb.yaml',
  '.hidden.yaml',
  '.github/workflows/ci.yaml',
  'services/.draft/x.yaml',
  'services/cart.yaml',
  'services/cart.yaml.bak',
  'services/deep/er/still.yml',
  'docs/README.md',
  'vendor/lib/x.yaml',
  'archive/2020/old.yaml',
  'dir with space/é ü.yaml',
  '**/*.yaml',
  'services/[x].yaml',
  'a/b/c/d/e/f/g.yaml',
];

const GLOB_SETS: Array<[string[], boolean]> = [
  [DEFAULT_CONFIG.include, false],
  [['services/**'], false],
  [['vendor/**', 'archive/*/*.yaml'], true],
  [['**/.draft/**'], true],
  [['*.yaml'], false],
  [['services/{cart,web}.yaml'], false],
  [['!services/**'], false],
  [['**/*.yaml'], true],
  [['services/[x].yaml'], false],
  [['**/*.@(yaml|yml)'], false],
];

describe('globMatcher', () => {
  it.each(GLOB_SETS)('answers as picomatch does for %j (dot %s)', (globs, dot) => {
    const ours = globMatcher(globs, { dot });
    const theirs = picomatch(globs, { dot });
    for (const path of PATHS) expect(ours(path), path).toBe(theirs(path));
  });

  it('selects catalog files: YAML, not cmdb.yaml, not hidden folders, not excluded', () => {
    const matches = fileMatcher({ ...DEFAULT_CONFIG, exclude: ['vendor/**'] });
    expect(PATHS.filter(matches)).toEqual(['a.yaml', 'a.yml', 'sub/cmdb.yaml', 'services/cart.yaml', 'services/deep/er/still.yml', 'archive/2020/old.yaml', 'dir with space/é ü.yaml', '**/*.yaml', 'services/[x].yaml', 'a/b/c/d/e/f/g.yaml']);
    expect(matches(CONFIG_FILE)).toBe(false);
  });
});
