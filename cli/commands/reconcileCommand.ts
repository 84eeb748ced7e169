import type { Command } from 'commander';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import type { ReconcileOptions } from './reconcile.ts';

/** `cmdb reconcile`; its implementation (catalog, reconcilers, Kubernetes client) loads when it runs. */
export function registerReconcile(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('reconcile')
    .description('check every spec.observe binding once, now, against live Kubernetes objects and HTTP endpoints; exit 1 on drifted, missing or unhealthy, 2 when only unknown')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to read', 'HEAD')
    .option('--kubeconfig <file>', 'kubeconfig whose contexts the Cluster entities name (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .addOption(formatOption(['text', 'json']))
    .action((opts: ReconcileOptions, cmd: Command) => run(import('./reconcile.ts').then(({ runReconcile }) => runReconcile({ ...cmd.optsWithGlobals(), ...opts }, io))));
}
