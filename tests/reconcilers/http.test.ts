import { afterEach, describe, expect, it } from 'vitest';
import { HttpReconciler } from '../../reconcilers/http/HttpReconciler.ts';
import { INITIAL_PROBE_STATE, nextProbeState, type ProbeState } from '../../reconcilers/http/hysteresis.ts';
import { classifyProbeError, type ProbeOutcome } from '../../reconcilers/http/probe.ts';
import { Semaphore } from '../../reconcilers/http/semaphore.ts';
import type { FindingChange } from '../../reconcilers/types.ts';
import { refusedUrl, startEndpoint, until, type Endpoint } from './endpoints.ts';
import { bindingOf } from './harnesses.ts';

const endpoints: Endpoint[] = [];
const reconcilers: HttpReconciler[] = [];
afterEach(async () => {
  for (const r of reconcilers.splice(0)) await r.stop();
  for (const e of endpoints.splice(0)) await e.close();
});

async function endpoint(behaviour: number | 'hang', delayMs = 0): Promise<Endpoint> {
  const e = await startEndpoint(behaviour, delayMs);
  endpoints.push(e);
  return e;
}

function reconciler(options: ConstructorParameters<typeof HttpReconciler>[0] = {}): HttpReconciler {
  const r = new HttpReconciler(options);
  reconcilers.push(r);
  return r;
}

const http = (ref: string, settings: Record<string, unknown>) => bindingOf(ref, { http: { timeoutSeconds: 2, ...settings } });

describe('HttpReconciler single pass', () => {
  it('200 is fine; 500, a hang past the timeout and a refused port are unhealthy', async () => {
    const ok = await endpoint(200);
    const failing = await endpoint(500);
    const hanging = await endpoint('hang');
    const refused = await refusedUrl();
    const findings = await reconciler().reconcileOnce([
      http('component:default/a-ok', { url: ok.url, expectStatus: 200 }),
      http('component:default/b-failing', { url: failing.url, expectStatus: 200 }),
      http('component:default/c-hanging', { url: hanging.url, timeoutSeconds: 0.2 }),
      http('component:default/d-refused', { url: refused }),
    ]);
    expect(findings).toEqual([
      { ref: 'component:default/b-failing', check: 'http', finding: 'unhealthy', target: { url: failing.url }, message: `GET ${failing.url} answered 500, expected 200` },
      { ref: 'component:default/c-hanging', check: 'http', finding: 'unhealthy', target: { url: hanging.url }, message: `GET ${hanging.url} did not answer within 200 ms` },
      { ref: 'component:default/d-refused', check: 'http', finding: 'unhealthy', target: { url: refused }, message: `GET ${refused}: connection refused (ECONNREFUSED)` },
    ]);
  });

  it('without expectStatus any 2xx is fine; with it only that status', async () => {
    const noContent = await endpoint(204);
    const unavailable = await endpoint(503);
    const r = reconciler();
    expect(await r.reconcileOnce([http('component:default/a', { url: noContent.url }), http('component:default/b', { url: unavailable.url, expectStatus: 503 })])).toEqual([]);
    const [finding] = await r.reconcileOnce([http('component:default/a', { url: noContent.url, expectStatus: 200 })]);
    expect(finding.message).toBe(`GET ${noContent.url} answered 204, expected 200`);
    const [redirect] = await r.reconcileOnce([http('component:default/c', { url: (await endpoint(302)).url })]);
    expect(redirect.message).toContain('answered 302, expected a 2xx status');
  });

  it('HEAD probes work', async () => {
    const e = await endpoint(200);
    expect(await reconciler().reconcileOnce([http('component:default/a', { url: e.url, method: 'HEAD' })])).toEqual([]);
  });

  it('bounds the probes in flight', async () => {
    const slow = await endpoint(200, 60);
    const six = Array.from({ length: 6 }, (_, i) => http(`component:default/s${i}`, { url: `${slow.url}?${i}` }));
    await reconciler({ concurrency: 2 }).reconcileOnce(six);
    expect(slow.answered).toHaveLength(6);
    expect(slow.maxInFlight).toBe(2);
    const wide = await endpoint(200, 60);
    await reconciler({ concurrency: 6 }).reconcileOnce(six.map((b, i) => http(b.ref, { url: `${wide.url}?${i}` })));
    expect(wide.maxInFlight).toBeGreaterThan(2);
  });
});

describe('HttpReconciler passes', () => {
  it('times each step of each pass', async () => {
    const e = await endpoint(200);
    const timed: string[] = [];
    await reconciler({ stepTimer: (check, step, seconds) => timed.push(`${check} ${step} ${seconds >= 0}`) }).reconcileOnce([http('component:default/a', { url: e.url })]);
    expect(timed).toEqual(['http probe true', 'http judge true']);
  });
});

describe('HttpReconciler watch: hysteresis', () => {
  it('reports after N consecutive failures and clears after M successes', async () => {
    const e = await endpoint(200);
    const seenAt: Array<{ type: string; answered: number[] }> = [];
    const r = reconciler({ onChange: (c: FindingChange) => seenAt.push({ type: c.type, answered: [...e.answered] }) });
    const binding = http('component:default/web', { url: e.url, intervalSeconds: 0.01, failureThreshold: 3, successThreshold: 2 });
    await r.start([binding]);
    await until(() => e.answered.length >= 2, 'two good probes');
    e.set(500);
    await until(() => seenAt.length === 1, 'the finding to open');
    const opened = seenAt[0];
    expect(opened.type).toBe('opened');
    expect(opened.answered.slice(opened.answered.indexOf(500))).toEqual([500, 500, 500]);
    expect(r.findings()).toMatchObject([{ finding: 'unhealthy', ref: 'component:default/web' }]);
    e.set(200);
    await until(() => seenAt.length === 2, 'the finding to resolve');
    const resolved = seenAt[1];
    expect(resolved.type).toBe('resolved');
    expect(resolved.answered.slice(resolved.answered.lastIndexOf(500) + 1)).toEqual([200, 200]);
    expect(r.findings()).toEqual([]);
  });

  it('a failure shorter than N is never reported', async () => {
    const e = await endpoint(200);
    const changes: FindingChange[] = [];
    const r = reconciler({ onChange: (c) => changes.push(c) });
    await r.start([http('component:default/web', { url: e.url, intervalSeconds: 0.01, failureThreshold: 3, successThreshold: 1 })]);
    e.script([500, 500]);
    await until(() => e.answered.filter((s) => s === 500).length === 2, 'two failed probes');
    const failures = e.answered.length;
    await until(() => e.answered.length >= failures + 3, 'three more good probes');
    const first = e.answered.indexOf(500);
    expect(e.answered.slice(first, first + 5)).toEqual([500, 500, 200, 200, 200]);
    expect(changes).toEqual([]);
  });

  it('a binding whose settings change keeps its history', async () => {
    const e = await endpoint(500);
    const changes: FindingChange[] = [];
    const r = reconciler({ onChange: (c) => changes.push(c) });
    const before = http('component:default/web', { url: e.url, intervalSeconds: 0.01, failureThreshold: 1 });
    await r.start([before]);
    await until(() => changes.length === 1, 'the finding');
    await r.update([http('component:default/web', { url: e.url, intervalSeconds: 0.01, failureThreshold: 1, expectStatus: 500 })]);
    await until(() => changes.length === 2, 'the change to resolve');
    expect(changes.map((c) => c.type)).toEqual(['opened', 'resolved']);
    expect(changes[1]).toMatchObject({ reason: 'fixed' });
  });
});

describe('probe state (pure)', () => {
  const fail = { ok: false as const, finding: 'unhealthy' as const, message: 'down' };
  const ok = { ok: true as const, status: 200 };
  const run = (outcomes: ProbeOutcome[], t = { failureThreshold: 3, successThreshold: 2 }): ProbeState[] => {
    const states: ProbeState[] = [];
    let s = INITIAL_PROBE_STATE;
    for (const o of outcomes) states.push((s = nextProbeState(s, o, t)));
    return states;
  };
  const reported = (states: ProbeState[]) => states.map((s) => s.reported !== undefined);

  it('reports on the Nth consecutive failure, clears on the Mth success', () => {
    expect(reported(run([fail, fail, fail, ok, fail, ok, ok]))).toEqual([false, false, true, true, true, true, false]);
  });

  it('a success resets the failure count', () => {
    expect(reported(run([fail, fail, ok, fail, fail, ok]))).toEqual([false, false, false, false, false, false]);
  });

  it('a threshold of 1 reports at once (the single pass)', () => {
    expect(reported(run([fail, ok], { failureThreshold: 1, successThreshold: 1 }))).toEqual([true, false]);
  });

  it('the report follows the latest failure', () => {
    const later = { ok: false as const, finding: 'unknown' as const, message: 'no DNS' };
    expect(run([fail, later], { failureThreshold: 1, successThreshold: 1 })[1].reported).toEqual({ finding: 'unknown', message: 'no DNS' });
  });
});

describe('probe errors', () => {
  it('a name that does not resolve is unknown: the prober cannot tell, the endpoint may be fine', () => {
    const dns = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND cartservice.shop'), { code: 'ENOTFOUND' }) });
    expect(classifyProbeError(dns, 'GET http://cartservice.shop/healthz')).toEqual({
      ok: false,
      finding: 'unknown',
      message: 'GET http://cartservice.shop/healthz: host name not found (ENOTFOUND)',
    });
  });

  it('a reset connection is unhealthy', () => {
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    expect(classifyProbeError(reset, 'GET x')).toMatchObject({ finding: 'unhealthy', message: 'GET x: connection reset (ECONNRESET)' });
  });
});

describe('Semaphore', () => {
  it('runs at most limit tasks at once, in arrival order', async () => {
    const s = new Semaphore(2);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    const release: Array<() => void> = [];
    const tasks = [0, 1, 2, 3].map((i) =>
      s.run(async () => {
        active++;
        most = Math.max(most, active);
        order.push(i);
        await new Promise<void>((resolve) => release.push(resolve));
        active--;
      }),
    );
    await until(() => release.length === 2, 'two tasks to start');
    expect(order).toEqual([0, 1]);
    release.shift()!();
    await until(() => release.length === 2 && order.length === 3, 'the third task');
    while (order.length < 4 || release.length > 0) {
      release.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(tasks);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
  });

  it('refuses a limit below 1', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
