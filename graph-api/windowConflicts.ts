/**
 * Whether a change window applies to a recorded change: the `windows`
 * evaluation step's own code (policies/windows.ts evaluateWindows and
 * windowSubjects, policies/facts.ts celChange and celImpact) run at the
 * change's merge time over its recorded changed and impacted refs, as the
 * served catalog holds them. The recorded entities are taken as modified
 * (their fields and files are not recorded); refs the catalog no longer
 * holds are left out; a change none of whose refs it holds is taken to be
 * concerned (fail closed, as an `appliesTo` that fails to evaluate).
 */
import type { Criticality, EntityChange, RefString, Snapshot } from '../catalog/types.ts';
import { CRITICALITIES } from '../core/types.ts';
import { celChange, celImpact, criticalityOf, ownerOf, type ImpactInput } from '../policies/facts.ts';
import type { Window } from '../policies/types.ts';
import { evaluateWindows, windowSubjects } from '../policies/windows.ts';
import type { ChangeRecord } from '../state/ChangeRecord.ts';

export function windowAppliesToChange(window: Window, record: ChangeRecord, head: Snapshot): boolean {
  if (!window.appliesTo) return true;
  const changes: EntityChange[] = record.changed.flatMap((ref) => {
    const entity = head.entities.get(ref);
    return entity ? [{ ref, kind: entity.kind, op: 'modified' as const, file: entity.source.file, fields: [], before: entity, after: entity }] : [];
  });
  const impacted = record.impacted.flatMap((ref) => {
    const entity = head.entities.get(ref);
    return entity ? [{ ref, kind: entity.kind, distance: 1, criticality: criticalityOf(entity), owner: ownerOf(entity) }] : [];
  });
  if (changes.length === 0 && impacted.length === 0) return true;
  const criticalities = [...changes.map((c) => criticalityOf(c.after)), ...impacted.map((e) => e.criticality)].filter((c): c is Criticality => c !== undefined);
  const impact: ImpactInput = {
    entities: impacted,
    maxCriticality: CRITICALITIES.find((c) => criticalities.includes(c)),
    owners: [...new Set([...changes.map((c) => ownerOf(c.after)), ...impacted.map((e) => e.owner)].filter((o): o is RefString => o !== undefined))].sort(),
  };
  const result = evaluateWindows({
    windows: [window],
    subjects: () => windowSubjects({ changes, impact, head }),
    change: celChange({ diff: { base: head.commit, head: head.commit, changes }, base: head, head, context: { title: record.title, author: record.author ?? undefined } }),
    impact: celImpact(impact),
    now: new Date(record.mergedAt),
  });
  return result.outcome.active.length > 0;
}
