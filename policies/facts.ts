import { CRITICALITIES, type Criticality, type Entity, type EntityChange, type RefString, type Snapshot, type SnapshotDiff } from '../catalog/types.ts';
import { changedFiles } from '../catalog/snapshotQueries.ts';
import { CelChange, CelChangedEntity, CelImpact, CelImpactedEntity, toCel } from './cel.ts';
import { dependentsOf } from './references.ts';
import { findSecrets } from './secrets.ts';

/** The impact as the controller computed it (a subset of controller's ChangeImpact). */
export interface ImpactInput {
  entities: ReadonlyArray<{ ref: RefString; kind: string; distance: number; criticality?: Criticality; owner?: RefString }>;
  maxCriticality?: Criticality;
  owners: readonly RefString[];
}

/** What the author said about the change. */
export interface ChangeContext {
  title?: string;
  author?: string;
  labels?: readonly string[];
}

/** The part of a document its author wrote (the `before`/`after` of a change). */
export const documentOf = (e: Entity) => ({ apiVersion: e.apiVersion, kind: e.kind, metadata: e.metadata, spec: e.spec });

/** An entity's criticality (from its facts: reading them does not parse the document). */
export const criticalityOf = (e: Pick<Entity, 'facts'> | undefined): Criticality | undefined => {
  const c = e?.facts?.criticality;
  return c && (CRITICALITIES as readonly string[]).includes(c) ? c : undefined;
};

/** The owner an entity's spec names, normalized (default kind group), or undefined. */
export const ownerOf = (e: Pick<Entity, 'facts'> | undefined): RefString | undefined => e?.facts?.owner;


function changedEntity(c: EntityChange, dependents: (ref: RefString) => RefString[]): CelChangedEntity {
  const subject = c.after ?? c.before;
  return new CelChangedEntity({
    ref: c.ref,
    kind: c.kind.toLowerCase(),
    op: c.op,
    file: c.file,
    fields: c.fields,
    criticality: criticalityOf(subject) ?? '',
    owner: ownerOf(subject) ?? '',
    before: () => (c.before ? (toCel(documentOf(c.before)) as Record<string, unknown>) : {}),
    after: () => (c.after ? (toCel(documentOf(c.after)) as Record<string, unknown>) : {}),
    dependents: () => dependents(c.ref),
    secrets: () => (c.after ? findSecrets({ metadata: c.after.metadata, spec: c.after.spec }).map((s) => s.path) : []),
  });
}

/** The `change` variable of a change between two snapshots; costly fields are computed when a policy reads them. */
export function celChange(options: { diff: SnapshotDiff; base: Snapshot; head: Snapshot; context: ChangeContext }): CelChange {
  const { diff, base, head, context } = options;
  const dependents = dependentsOf(diff.changes, head);
  return new CelChange({
    title: context.title ?? '',
    author: context.author ?? '',
    labels: [...(context.labels ?? [])],
    files: () => changedFiles(base, head),
    entities: diff.changes.map((c) => changedEntity(c, dependents)),
  });
}

/** The `impact` variable; distances and the count become BigInt. */
export function celImpact(impact: ImpactInput): CelImpact {
  return new CelImpact({
    entities: impact.entities.map(
      (e) => new CelImpactedEntity({ ref: e.ref, kind: e.kind.toLowerCase(), distance: BigInt(e.distance), criticality: e.criticality ?? '', owner: e.owner ?? '' }),
    ),
    count: BigInt(impact.entities.length),
    maxCriticality: impact.maxCriticality ?? '',
    owners: [...impact.owners],
  });
}

/**
 * Who owns what a change touches. An entity's owner is the one its base
 * version names (the owner before the change approves it), else its head's.
 * `impacted` covers the changed entities too.
 */
export function ownershipOf(options: { changes: readonly EntityChange[]; impacted: readonly RefString[]; base: Snapshot; head: Snapshot }): {
  changed: Map<RefString, RefString[]>;
  impacted: Map<RefString, RefString[]>;
} {
  const { base, head } = options;
  const owner = (ref: RefString) => ownerOf(base.entities.get(ref)) ?? ownerOf(head.entities.get(ref));
  const group = (refs: readonly RefString[]) => {
    const out = new Map<RefString, RefString[]>();
    for (const ref of refs) {
      const o = owner(ref);
      if (o) (out.get(o) ?? out.set(o, []).get(o)!).push(ref);
    }
    return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
  };
  const changed = options.changes.map((c) => c.ref);
  return { changed: group(changed), impacted: group([...changed, ...options.impacted]) };
}
