import { parse } from 'yaml';
import { parseRef, stringifyRef } from '../catalog/refs.ts';
import { rulesFor } from '../catalog/relations.ts';
import { listFiles, readBlobs } from './native.ts';

/** What `verifyCatalog` found; `problems` is empty for a valid generated catalog. */
export interface CatalogCheck {
  entities: number;
  references: number;
  problems: string[];
}

interface Doc {
  ref: string;
  apiVersion: string;
  spec: Record<string, unknown>;
}

/**
 * Independent check of a generated commit (not the project's loader): one entity per file,
 * unique refs, every relation-table reference resolves, dependsOn is acyclic.
 * Reads with native git and parses with `yaml`; ~10 s for 100k entities.
 */
export async function verifyCatalog(repoDir: string, commit: string): Promise<CatalogCheck> {
  const problems: string[] = [];
  const docs = await readDocs(repoDir, commit, problems);
  const refs = new Set(docs.map((d) => d.ref));
  if (refs.size !== docs.length) problems.push(`${docs.length - refs.size} duplicate entity refs`);
  const edges = new Map<string, string[]>();
  let references = 0;
  for (const doc of docs) {
    for (const target of resolveReferences(doc, problems, edges)) {
      references += 1;
      if (!refs.has(target)) problems.push(`${doc.ref}: unresolved reference ${target}`);
    }
  }
  if (hasCycle(edges)) problems.push('dependsOn has a cycle');
  return { entities: docs.length, references, problems: problems.slice(0, 50) };
}

async function readDocs(repoDir: string, commit: string, problems: string[]): Promise<Doc[]> {
  const files = await listFiles(repoDir, commit);
  const pathOf = new Map(files.map((f) => [f.oid, f.path]));
  const docs: Doc[] = [];
  await readBlobs(repoDir, files.map((f) => f.oid), (oid, content) => {
    const value = parse(content.toString('utf8')) as Record<string, any>;
    const name = value?.metadata?.name;
    if (!value?.apiVersion || !value?.kind || typeof name !== 'string') {
      problems.push(`${pathOf.get(oid)}: not an entity`);
      return;
    }
    if (!pathOf.get(oid)!.endsWith(`/${name}.yaml`)) problems.push(`${pathOf.get(oid)}: name ${name} does not match the file`);
    const ref = stringifyRef({ kind: value.kind, namespace: value.metadata.namespace ?? 'default', name });
    docs.push({ ref, apiVersion: value.apiVersion, spec: value.spec ?? {} });
  });
  return docs;
}

/** Normalized targets of every relation-table field of `doc`; records dependsOn edges. */
function resolveReferences(doc: Doc, problems: string[], edges: Map<string, string[]>): string[] {
  const targets: string[] = [];
  for (const rule of rulesFor(doc.apiVersion)) {
    const raw = doc.spec[rule.field];
    if (raw === undefined) continue;
    for (const text of Array.isArray(raw) ? raw : [raw]) {
      const parsed = parseRef(String(text), { defaultKind: rule.defaultKind, defaultNamespace: 'default' });
      if (!parsed.ok) {
        problems.push(`${doc.ref}: ${rule.field}: ${parsed.message}`);
        continue;
      }
      const target = stringifyRef(parsed.ref);
      targets.push(target);
      if (rule.field === 'dependsOn') edges.set(doc.ref, [...(edges.get(doc.ref) ?? []), target]);
    }
  }
  return targets;
}

/** Kahn's algorithm over dependsOn edges. */
function hasCycle(edges: Map<string, string[]>): boolean {
  const indegree = new Map<string, number>();
  for (const [source, targets] of edges) {
    if (!indegree.has(source)) indegree.set(source, 0);
    for (const t of targets) indegree.set(t, (indegree.get(t) ?? 0) + 1);
  }
  const ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  let seen = 0;
  while (ready.length > 0) {
    const node = ready.pop()!;
    seen += 1;
    for (const t of edges.get(node) ?? []) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) ready.push(t);
    }
  }
  return seen !== indegree.size;
}
