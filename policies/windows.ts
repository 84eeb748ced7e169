import { splitRef } from '../catalog/refs.ts';
import type { Entity, EntityChange, EntityFacts, RefString, Snapshot } from '../catalog/types.ts';
import { CelEntity, CelWindow, runExpression, type CelChange, type CelImpact } from './cel.ts';
import { criticalityOf, ownerOf, type ImpactInput } from './facts.ts';
import type { PendingViolation } from './positions.ts';
import type { Window, WindowReport, WindowsOutcome } from './types.ts';

/** Every changed entity (its latest version) and every impacted one, as `entity` of an `appliesTo`. */
export function windowSubjects(options: { changes: readonly EntityChange[]; impact: ImpactInput; head: Snapshot }): CelEntity[] {
  const subject = (ref: RefString, facts: EntityFacts, op: string, entity: () => Entity) =>
    new CelEntity({
      ref,
      kind: splitRef(ref).kind,
      op,
      criticality: criticalityOf({ facts }) ?? '',
      owner: ownerOf({ facts }) ?? '',
      labels: facts.labels ?? {},
      entity,
    });
  const out = options.changes.map((c) => {
    const entity = (c.after ?? c.before)!;
    return subject(entity.ref, entity.facts, c.op, () => entity);
  });
  for (const e of options.impact.entities) {
    const facts = options.head.factsOf(e.ref);
    if (facts) out.push(subject(e.ref, facts, 'impacted', () => options.head.entities.get(e.ref)!));
  }
  return out;
}

export interface WindowsEvaluation {
  outcome: WindowsOutcome;
  /** Active windows that apply, for the `windows` variable of policies. */
  active: CelWindow[];
  /** appliesTo expressions that failed at run time (the window is then taken to apply). */
  problems: PendingViolation[];
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

function report(w: Window, entities: RefString[]): WindowReport {
  return {
    name: w.name,
    ref: w.origin.ref,
    type: w.type,
    start: iso(w.start),
    end: iso(w.end),
    ...(w.description ? { description: w.description } : {}),
    entities,
  };
}

/**
 * Which subjects a window applies to: all of them without `appliesTo`. A
 * subject whose `appliesTo` fails to evaluate counts as applying (fail closed).
 */
function appliesTo(w: Window, subjects: readonly CelEntity[], base: { change: CelChange; impact: CelImpact; now: Date }, problems: PendingViolation[]): RefString[] {
  if (!w.appliesTo) return subjects.map((s) => s.ref).sort();
  const refs: RefString[] = [];
  let reported = false;
  const activation = { ...base, entity: subjects[0] };
  for (const entity of subjects) {
    activation.entity = entity;
    const r = runExpression(w.appliesTo, activation);
    if (r.ok && !r.value) continue;
    refs.push(entity.ref);
    if (!r.ok && !reported) {
      reported = true;
      problems.push({
        violation: {
          rule: 'cel',
          severity: 'warning',
          message: `spec.appliesTo of ${w.name} could not be evaluated for ${entity.ref} (${r.message}); the window is taken to apply`,
          ref: w.origin.ref,
        },
        at: w.origin.entity ? { entity: w.origin.entity, pointer: '/spec/appliesTo' } : undefined,
      });
    }
  }
  return [...new Set(refs)].sort();
}

/**
 * Windows active at `now` that apply to the change (a window applies when its
 * `appliesTo` holds for at least one changed or impacted entity), and the next
 * maintenance window that applies (the earliest starting after `now`).
 */
export function evaluateWindows(options: {
  windows: readonly Window[];
  /** Built only when some window is active or upcoming. */
  subjects: () => readonly CelEntity[];
  change: CelChange;
  impact: CelImpact;
  now: Date;
}): WindowsEvaluation {
  const { change, impact, now } = options;
  const windows = options.windows.filter((w) => now < w.end);
  const problems: PendingViolation[] = [];
  const subjects = windows.length > 0 ? options.subjects() : [];
  const base = { change, impact, now };
  const active: WindowReport[] = [];
  const cel: CelWindow[] = [];
  for (const w of windows) {
    if (!(w.start <= now && now < w.end)) continue;
    const refs = appliesTo(w, subjects, base, problems);
    if (refs.length === 0) continue;
    active.push(report(w, refs));
    cel.push(new CelWindow({ name: w.name, ref: w.origin.ref, type: w.type, start: w.start, end: w.end, entities: refs }));
  }
  let next: WindowReport | null = null;
  const upcoming = windows.filter((w) => w.type === 'maintenance' && w.start > now).sort((a, b) => a.start.getTime() - b.start.getTime());
  for (const w of upcoming) {
    const refs = appliesTo(w, subjects, base, problems);
    if (refs.length > 0) {
      next = report(w, refs);
      break;
    }
  }
  return { outcome: { active, next }, active: cel, problems };
}
