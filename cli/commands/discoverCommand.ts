import { Command } from 'commander';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import type { DiscoverKubernetesOptions } from './discover.ts';

/** `cmdb discover kubernetes`; its implementation (catalog, Kubernetes client) loads when it runs. */
export function registerDiscover(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  const discover = program.command('discover').description('propose catalog entities for live infrastructure no entity observes');
  discover
    .command('kubernetes')
    .description('live Deployments, StatefulSets, DaemonSets and Services bound to no entity, as proposed catalog YAML with their observe bindings')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to read', 'HEAD')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context of the cluster to look at (default: the current one); a Cluster entity must name it')
    .option('--namespace <ns>', 'only this namespace (default: every namespace but kube-system, kube-public, kube-node-lease)')
    .addOption(formatOption(['yaml', 'json']))
    .action((opts: DiscoverKubernetesOptions, cmd: Command) =>
      run(import('./discover.ts').then(({ runDiscoverKubernetes }) => runDiscoverKubernetes({ ...cmd.optsWithGlobals(), ...opts }, io))),
    );
}
