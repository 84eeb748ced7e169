import type { Command } from 'commander';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import type { CacheInfoOptions, CachePruneOptions } from './cache.ts';

const CACHE_DIR = 'cache directory (default: CMDB_CACHE_DIR, else $XDG_CACHE_HOME/gitops-cmdb)';

/** `cmdb cache info` and `cmdb cache prune`; the cache code loads when they run. */
export function registerCache(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  const cache = program.command('cache').description('inspect and prune the on-disk parse cache and snapshot tables');
  cache
    .command('info')
    .description('what the cache directory holds: each namespace directory, its kind, entries and bytes; stale formats marked')
    .option('--cache-dir <dir>', CACHE_DIR)
    .addOption(formatOption(['text', 'json']))
    .action((opts: CacheInfoOptions) => run(import('./cache.ts').then(({ runCacheInfo }) => runCacheInfo(opts, io))));
  cache
    .command('prune')
    .description('remove stale-format directories and the parsed blobs no stored snapshot table refers to')
    .option('--cache-dir <dir>', CACHE_DIR)
    .option('--dry-run', 'report what would be removed, change nothing')
    .option('--if-large', 'prune only when the parse cache grew by half (and 16 MiB) since the last prune or older formats are present; checks at most once an hour (for cron jobs)')
    .addOption(formatOption(['text', 'json']))
    .action((opts: CachePruneOptions) => run(import('./cache.ts').then(({ runCachePrune }) => runCachePrune(opts, io))));
}
