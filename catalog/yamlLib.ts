import { createRequire } from 'node:module';

type YamlLibrary = typeof import('yaml');
let library: YamlLibrary | undefined;

/**
 * The `yaml` library, loaded on first use (~100 ms): a command whose files all
 * take the fast parse path, with no cmdb.yaml or violation to place, never loads it.
 */
export const yaml = (): YamlLibrary => (library ??= createRequire(import.meta.url)('yaml') as YamlLibrary);
