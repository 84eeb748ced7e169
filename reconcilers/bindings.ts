import { clusterProblem, entryCluster, type ClusterLookup } from '../catalog/observe.ts';
import type { RefString } from '../core/types.ts';
import { parsePointer } from './compare/pointer.ts';
import { bindingKey } from './findings.ts';
import type { Binding, HttpBinding, Json, JsonObject, KubernetesBinding, KubernetesTarget } from './types.ts';

/** Defaults of an HTTP binding (docs/reconcilers.md, HTTP probing). */
export const HTTP_DEFAULTS = {
  method: 'GET',
  timeoutMs: 5_000,
  intervalMs: 30_000,
  failureThreshold: 3,
  successThreshold: 2,
} as const;

/** A `spec.observe` entry that cannot become a binding: a validation error, never a finding. */
export interface BindingProblem {
  ref: RefString;
  /** Dotted path of the offending setting, e.g. `spec.observe[1].http.url`. */
  path: string;
  message: string;
}

export interface BindingOptions {
  /** The cluster a `kubernetes` entry without `cluster` means (the entity's `runsOn` cluster). */
  defaultCluster?: RefString;
  /** Ignore pointers for a Kubernetes target, from cmdb.yaml (`reconcile.ignore`). */
  ignoreFor?: (target: KubernetesTarget) => readonly string[];
  /**
   * The catalog's entities by ref: given, a `kubernetes` entry whose cluster
   * is not a Cluster entity with a kubeconfig context is a problem
   * (`clusterProblem`, the rule `cmdb validate` applies).
   */
  clusters?: ClusterLookup;
}

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const positiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Why an HTTP binding cannot be probed (the setting at fault and why), or undefined when it can. */
export function validateHttpBinding(b: HttpBinding): { setting: string; message: string } | undefined {
  const bad = (setting: string, message: string) => ({ setting, message });
  let url: URL;
  try {
    url = new URL(b.target.url);
  } catch {
    return bad('url', `"${b.target.url}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad('url', `"${b.target.url}" must be an http:// or https:// URL`);
  if (!positive(b.timeoutMs)) return bad('timeoutSeconds', 'must be a positive number of seconds');
  if (!positive(b.intervalMs)) return bad('intervalSeconds', 'must be a positive number of seconds');
  if (!positiveInt(b.failureThreshold)) return bad('failureThreshold', 'must be a positive integer');
  if (!positiveInt(b.successThreshold)) return bad('successThreshold', 'must be a positive integer');
  const status = b.expectStatus;
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) return bad('expectStatus', 'must be an HTTP status (100-599)');
  return undefined;
}

/**
 * The bindings an entity's `spec.observe` declares, with defaults applied,
 * and a problem for each entry that cannot be one (a malformed URL, a bad
 * ignore pointer, no cluster). Never throws.
 */
export function bindingsFromObserve(ref: RefString, observe: unknown, options: BindingOptions = {}): { bindings: Binding[]; problems: BindingProblem[] } {
  const bindings: Binding[] = [];
  const problems: BindingProblem[] = [];
  if (observe === undefined || observe === null) return { bindings, problems };
  if (!Array.isArray(observe)) return { bindings, problems: [{ ref, path: 'spec.observe', message: 'must be a list of {kubernetes: ...} or {http: ...}' }] };
  const seen = new Set<string>();
  observe.forEach((entry: unknown, index) => {
    const at = `spec.observe[${index}]`;
    const problem = (path: string, message: string) => problems.push({ ref, path: `${at}.${path}`, message });
    let binding: Binding | undefined;
    if (isObject(entry) && isObject(entry.http)) binding = httpFrom(ref, entry.http, (p, m) => problem(`http.${p}`, m));
    else if (isObject(entry) && isObject(entry.kubernetes)) binding = kubernetesFrom(ref, entry.kubernetes, options, (p, m) => problem(`kubernetes.${p}`, m));
    else problems.push({ ref, path: at, message: 'must have exactly one of kubernetes, http' });
    if (!binding) return;
    if (seen.has(binding.key)) problems.push({ ref, path: at, message: 'observes the same target as an earlier entry' });
    else {
      seen.add(binding.key);
      bindings.push(binding);
    }
  });
  return { bindings, problems };
}

type Problem = (path: string, message: string) => void;

function httpFrom(ref: RefString, e: JsonObject, problem: Problem): HttpBinding | undefined {
  if (typeof e.url !== 'string') return void problem('url', 'is required: the URL to probe');
  const seconds = (v: Json | undefined, fallbackMs: number) => (v === undefined ? fallbackMs : positive(v) ? v * 1000 : NaN);
  const headers: Record<string, string> = {};
  if (isObject(e.headers)) for (const [k, v] of Object.entries(e.headers)) headers[k] = String(v);
  const binding: HttpBinding = {
    check: 'http',
    key: bindingKey('http', ref, { url: e.url }),
    ref,
    target: { url: e.url },
    method: e.method === 'HEAD' ? 'HEAD' : HTTP_DEFAULTS.method,
    ...(e.expectStatus === undefined ? {} : { expectStatus: e.expectStatus as number }),
    headers,
    timeoutMs: seconds(e.timeoutSeconds, HTTP_DEFAULTS.timeoutMs),
    intervalMs: seconds(e.intervalSeconds, HTTP_DEFAULTS.intervalMs),
    failureThreshold: (e.failureThreshold as number | undefined) ?? HTTP_DEFAULTS.failureThreshold,
    successThreshold: (e.successThreshold as number | undefined) ?? HTTP_DEFAULTS.successThreshold,
  };
  const invalid = validateHttpBinding(binding);
  if (invalid) return void problem(invalid.setting, invalid.message);
  return binding;
}

function kubernetesFrom(ref: RefString, e: JsonObject, options: BindingOptions, problem: Problem): KubernetesBinding | undefined {
  for (const field of ['apiVersion', 'kind', 'name'] as const) {
    if (typeof e[field] !== 'string' || e[field] === '') return void problem(field, 'is required');
  }
  const { cluster, text: clusterText, implicit } = entryCluster(e.cluster, options.defaultCluster);
  if (cluster === undefined) return void problem('cluster', clusterText === undefined ? 'is required: the entity runs on no cluster' : `"${clusterText}" is not a cluster reference`);
  const target: KubernetesTarget = {
    cluster,
    apiVersion: e.apiVersion as string,
    kind: e.kind as string,
    ...(typeof e.namespace === 'string' ? { namespace: e.namespace } : {}),
    name: e.name as string,
  };
  const own = Array.isArray(e.ignore) ? e.ignore : e.ignore === undefined ? [] : undefined;
  if (own === undefined) return void problem('ignore', 'must be a list of JSON pointers');
  for (const [i, pointer] of own.entries()) {
    const parsed = typeof pointer === 'string' ? parsePointer(pointer) : { ok: false as const, message: 'must be a JSON pointer string' };
    if (!parsed.ok) return void problem(`ignore[${i}]`, parsed.message);
  }
  if (e.expect !== undefined && !isObject(e.expect)) return void problem('expect', 'must be a mapping (a partial object)');
  const unusable = options.clusters && clusterProblem({ cluster, implicit }, options.clusters);
  if (unusable) return void problem('cluster', unusable);
  return {
    check: 'kubernetes',
    key: bindingKey('kubernetes', ref, target),
    ref,
    target,
    expect: (e.expect as JsonObject | undefined) ?? {},
    ignore: [...(own as string[]), ...(options.ignoreFor?.(target) ?? [])],
  };
}
