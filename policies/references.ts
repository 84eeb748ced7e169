import { normalizeRef } from '../catalog/refs.ts';
import { rulesFor } from '../catalog/relations.ts';
import type { Entity, EntityChange, RefString, Snapshot } from '../catalog/types.ts';

const memo = new WeakMap<Entity, Set<RefString>>();

/** Every entity an entity's spec refers to (per the relation table), normalized. */
export function referencesOf(entity: Entity): Set<RefString> {
  let refs = memo.get(entity);
  if (refs) return refs;
  refs = new Set();
  for (const rule of rulesFor(entity.apiVersion)) {
    const value = entity.spec[rule.field];
    for (const text of Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]) {
      const ref = normalizeRef(String(text), { defaultKind: rule.defaultKind, defaultNamespace: entity.metadata.namespace });
      if (ref && ref !== entity.ref) refs.add(ref);
    }
  }
  memo.set(entity, refs);
  return refs;
}

type Candidates = Map<RefString, Set<RefString>>;

function addCandidate(candidates: Candidates, target: RefString, other: RefString): void {
  if (other === target) return;
  let set = candidates.get(target);
  if (!set) candidates.set(target, (set = new Set()));
  set.add(other);
}

/**
 * Who may refer to removed entities: a head entity that still refers to one
 * has a dangling reference, so the head's dangling-reference violations name
 * every candidate (no pass over the relations).
 */
function removedCandidates(removed: ReadonlySet<RefString>, head: Snapshot): Candidates {
  const candidates: Candidates = new Map();
  const declarers = new Set(head.violations.filter((v) => v.rule === 'dangling-reference' && v.ref).map((v) => v.ref!));
  for (const ref of declarers) {
    const entity = head.entities.get(ref);
    if (!entity) continue;
    for (const target of referencesOf(entity)) if (removed.has(target)) addCandidate(candidates, target, ref);
  }
  return candidates;
}

/** Who may refer to entities present in the head: their neighbours on the head's relations (one pass). */
function presentCandidates(present: ReadonlySet<RefString>, head: Snapshot): Candidates {
  const candidates: Candidates = new Map();
  for (const r of head.relationsTouching(present)) {
    if (present.has(r.target)) addCandidate(candidates, r.target, r.source);
    if (present.has(r.source)) addCandidate(candidates, r.source, r.target);
  }
  return candidates;
}

/**
 * For each changed entity, the entities of the head that still refer to it,
 * sorted (for a removed entity: the references its removal leaves dangling).
 * Each candidate's head spec decides. Lazy per kind of change: removed
 * entities cost a look at the head's violations; the others, one pass over
 * the head's relations, made only when one of them is asked for.
 */
export function dependentsOf(changes: readonly EntityChange[], head: Snapshot): (ref: RefString) => RefString[] {
  const removed = new Set(changes.filter((c) => c.op === 'removed').map((c) => c.ref));
  const present = new Set(changes.filter((c) => c.op !== 'removed').map((c) => c.ref));
  let removedIndex: Candidates | undefined;
  let presentIndex: Candidates | undefined;
  const answers = new Map<RefString, RefString[]>();
  return (ref) => {
    let answer = answers.get(ref);
    if (answer) return answer;
    const index = removed.has(ref) ? (removedIndex ??= removedCandidates(removed, head)) : present.has(ref) ? (presentIndex ??= presentCandidates(present, head)) : undefined;
    answer = [...(index?.get(ref) ?? [])].filter((other) => {
      const entity = head.entities.get(other);
      return entity !== undefined && referencesOf(entity).has(ref);
    });
    answer.sort();
    answers.set(ref, answer);
    return answer;
  };
}
