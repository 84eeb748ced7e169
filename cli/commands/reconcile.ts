import { EXIT } from '../exitCodes.ts';
import { openCatalog } from '../context.ts';
import { forOption } from '../options.ts';
import { violationLines, type Output } from '../output.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import type { GitReader } from '../../catalog/git/GitReader.ts';
import { catalogBindings, type BlobText } from '../../reconcilers/catalogBindings.ts';
import { parseReconcileConfig } from '../../reconcilers/config.ts';
import { HttpReconciler } from '../../reconcilers/http/HttpReconciler.ts';
import { clusterAccessFrom, loadKubeConfig } from '../../reconcilers/kubernetes/access.ts';
import { KubernetesReconciler } from '../../reconcilers/kubernetes/KubernetesReconciler.ts';
import type { Finding } from '../../reconcilers/types.ts';

export interface ReconcileOptions {
  repo: string;
  ref: string;
  kubeconfig?: string;
  format: 'text' | 'json';
  git: GitImplementation;
  cache: boolean;
}

/** Reads a blob's text through the repository (to place binding violations on their setting). */
export function blobTextOf(git: Pick<GitReader, 'readBlobs'>): BlobText {
  return async (oid) => {
    let text: string | undefined;
    await git.readBlobs([oid], (_, content) => (text = content.toString('utf8')));
    return text;
  };
}

/** The exit code of a pass: 0 no finding, 1 any drifted, missing or unhealthy, 2 only unknown ones. */
export function reconcileExitCode(findings: readonly Finding[]): number {
  if (findings.length === 0) return EXIT.ok;
  return findings.some((f) => f.finding !== 'unknown') ? EXIT.failed : EXIT.error;
}

const targetText = (f: Finding): string => {
  if (f.check === 'http') return f.target.url;
  const t = f.target;
  return t.kind === '' ? t.cluster : `${t.cluster} ${t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
};

/**
 * `cmdb reconcile`: one pass of every reconciler over the bindings of the
 * catalog at a revision, now. A catalog whose bindings are invalid (an
 * unknown cluster, a bad pointer...) is not reconciled: its violations are
 * printed and the exit code is 2.
 */
export async function runReconcile(o: ReconcileOptions, io: Output): Promise<number> {
  const reader = await openCatalog(o);
  const snapshot = await reader.read(await forOption('--ref', () => reader.git.resolve(o.ref)));
  const { config, violations: configViolations } = parseReconcileConfig(reader.configOf(snapshot));
  const { bindings, violations } = await catalogBindings(snapshot, { config, blobText: blobTextOf(reader.git) });
  const invalid = [...configViolations, ...violations];
  if (invalid.length > 0) {
    io.out(violationLines(invalid));
    io.err(`cmdb: ${invalid.length} invalid binding(s) at ${snapshot.commit.slice(0, 12)}: fix them before reconciling`);
    return EXIT.error;
  }
  const needsKube = bindings.some((b) => b.check === 'kubernetes');
  const kubeconfig = needsKube ? await forOption('--kubeconfig', async () => loadKubeConfig(o.kubeconfig)) : undefined;
  const reconcilers = [
    new HttpReconciler(),
    ...(kubeconfig ? [new KubernetesReconciler({ access: clusterAccessFrom(snapshot, kubeconfig) })] : []),
  ];
  const findings = (await Promise.all(reconcilers.map((r) => r.reconcileOnce(bindings)))).flat();
  if (o.format === 'json') {
    io.out(JSON.stringify({ commit: snapshot.commit, checked: bindings.length, findings }, null, 2));
  } else {
    for (const f of findings) io.out(`${f.finding}\t${f.ref}\t${f.check} ${targetText(f)}\t${f.message}`);
    io.err(`${findings.length} finding(s) for ${bindings.length} binding(s) at ${snapshot.commit.slice(0, 12)}`);
  }
  return reconcileExitCode(findings);
}
