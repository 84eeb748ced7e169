import type { RefString } from '../core/types.ts';

/** Which reconciler checks a binding: one `spec.observe` entry has exactly one of these keys. */
export type CheckKind = 'kubernetes' | 'http';

/** A JSON value as the catalog and the Kubernetes API carry it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The Kubernetes object a binding observes. */
export interface KubernetesTarget {
  /** The Cluster entity holding the object, e.g. `cluster:default/prod-eu`. */
  cluster: RefString;
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** The endpoint an HTTP binding probes. */
export interface HttpTarget {
  url: string;
}

/**
 * One `spec.observe` entry of one entity, with every default applied: what a
 * reconciler watches. `key` identifies the binding across updates (the same
 * entity observing the same target is the same binding).
 */
export type Binding = KubernetesBinding | HttpBinding;

interface BindingBase {
  /** Stable identity: check, entity ref and target (see `bindingKey`). */
  key: string;
  /** The entity that declared the check. */
  ref: RefString;
}

export interface KubernetesBinding extends BindingBase {
  check: 'kubernetes';
  target: KubernetesTarget;
  /** Partial object the live one must match (docs/reconcilers.md, Comparison). */
  expect: JsonObject;
  /** RFC 6901 pointers into `expect` never compared: the binding's own, then cmdb.yaml's. */
  ignore: readonly string[];
}

export interface HttpBinding extends BindingBase {
  check: 'http';
  target: HttpTarget;
  method: 'GET' | 'HEAD';
  /** The status a healthy endpoint answers; absent: any 2xx. */
  expectStatus?: number;
  headers: Readonly<Record<string, string>>;
  /** A probe not answered (status line and headers) within this many ms fails. */
  timeoutMs: number;
  /** Time between the end of one probe and the start of the next, in ms. */
  intervalMs: number;
  /** Consecutive failed probes before the binding is reported (the watch; a single pass uses 1). */
  failureThreshold: number;
  /** Consecutive good probes before a reported binding is cleared. */
  successThreshold: number;
}

/** What is wrong with a binding. A binding that is fine has no finding. */
export type FindingKind = 'drifted' | 'missing' | 'unhealthy' | 'unknown';

/**
 * One problem of one binding, as `cmdb reconcile --format json` prints it.
 * `drifted` names one differing field; `missing` comes only from a successful
 * get or list; `unknown` means the reconciler could not see the target (never
 * reported as `missing`).
 */
export type Finding = KubernetesFinding | HttpFinding;

interface FindingBase {
  ref: RefString;
  /** Human-readable, one line. */
  message: string;
}

export type KubernetesFinding =
  | (FindingBase & { check: 'kubernetes'; target: KubernetesTarget } & Drift & { finding: 'drifted' })
  | (FindingBase & { check: 'kubernetes'; target: KubernetesTarget; finding: 'missing' | 'unhealthy' | 'unknown' });

export type HttpFinding = FindingBase & {
  check: 'http';
  target: HttpTarget;
  finding: 'unhealthy' | 'unknown';
};

/**
 * One differing leaf: `field` is a readable path
 * (`spec.template.spec.containers[name=server].image`); `actual` is absent
 * when the live object lacks the field.
 */
export interface Drift {
  field: string;
  expected: Json;
  actual?: Json;
}

/** How the set of current findings changed (events of a running reconciler). */
export type FindingChange =
  | { type: 'opened'; key: string; finding: Finding }
  | { type: 'changed'; key: string; finding: Finding; previous: Finding }
  | { type: 'resolved'; key: string; previous: Finding; reason: 'fixed' | 'binding-removed' };
