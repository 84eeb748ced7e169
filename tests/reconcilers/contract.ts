import { afterEach, describe, expect, it } from 'vitest';
import { isCmdbError } from '../../core/errors.ts';
import type { Reconciler, ReconcilerOptions } from '../../reconcilers/Reconciler.ts';
import type { Binding, CheckKind, FindingChange, FindingKind } from '../../reconcilers/types.ts';
import { until } from './endpoints.ts';

/** A live target a test can break and repair, and the binding that observes it. */
export interface ContractTarget {
  binding: Binding;
  /** Makes the target observably wrong (the harness's `brokenFinding`). */
  breakIt(): Promise<void>;
  /** Makes it right again. */
  fix(): Promise<void>;
}

/**
 * What the contract suite needs of one implementation. A Kubernetes harness
 * (later) creates objects in a real API server: `breakIt` patches one so it
 * drifts, `fix` patches it back.
 */
export interface ReconcilerHarness {
  name: string;
  check: CheckKind;
  create(options: ReconcilerOptions): Reconciler;
  /** A new target, fine now, of entity `ref`, observed with no hysteresis (a report on the first failure). */
  target(ref: string): Promise<ContractTarget>;
  /** The finding a broken target gives. */
  brokenFinding: FindingKind;
  /** A binding of another check kind: ignored. */
  foreign(ref: string): Binding;
  /** Releases what `target` made (called after each test). */
  cleanup(): Promise<void>;
}

/** The Reconciler contract; call inside `describe.each` over harnesses. */
export function reconcilerContract(harness: ReconcilerHarness): void {
  const running: Reconciler[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    await harness.cleanup();
  });

  function create(): { reconciler: Reconciler; changes: FindingChange[] } {
    const changes: FindingChange[] = [];
    const reconciler = harness.create({ onChange: (c) => changes.push(c) });
    running.push(reconciler);
    return { reconciler, changes };
  }

  describe('reconcileOnce', () => {
    it('reports nothing for a target that is fine, and the broken one alone', async () => {
      const { reconciler } = create();
      const good = await harness.target('component:default/good');
      const bad = await harness.target('component:default/bad');
      await bad.breakIt();
      const findings = await reconciler.reconcileOnce([good.binding, bad.binding, harness.foreign('component:default/other')]);
      expect(findings.map((f) => [f.ref, f.check, f.finding])).toEqual([['component:default/bad', harness.check, harness.brokenFinding]]);
      expect(findings[0].target).toEqual(bad.binding.target);
      expect(findings[0].message).not.toBe('');
    });

    it('needs no start and leaves the watch state alone (no changes, no findings)', async () => {
      const { reconciler, changes } = create();
      const bad = await harness.target('component:default/bad');
      await bad.breakIt();
      expect(await reconciler.reconcileOnce([bad.binding])).toHaveLength(1);
      expect(reconciler.findings()).toEqual([]);
      expect(changes).toEqual([]);
    });

    it('sees a fix at once', async () => {
      const { reconciler } = create();
      const t = await harness.target('component:default/flip');
      await t.breakIt();
      expect(await reconciler.reconcileOnce([t.binding])).toHaveLength(1);
      await t.fix();
      expect(await reconciler.reconcileOnce([t.binding])).toEqual([]);
    });
  });

  describe('watch', () => {
    it('opens a finding when a target breaks and resolves it when fixed', async () => {
      const { reconciler, changes } = create();
      const good = await harness.target('component:default/steady');
      const t = await harness.target('component:default/flip');
      await reconciler.start([good.binding, t.binding]);
      await t.breakIt();
      await until(() => changes.some((c) => c.type === 'opened'), 'the finding to open');
      expect(reconciler.findings().map((f) => [f.ref, f.finding])).toEqual([['component:default/flip', harness.brokenFinding]]);
      await t.fix();
      await until(() => changes.some((c) => c.type === 'resolved'), 'the finding to resolve');
      expect(changes.find((c) => c.type === 'resolved')).toMatchObject({ reason: 'fixed', previous: { ref: 'component:default/flip' } });
      expect(reconciler.findings()).toEqual([]);
    });

    it('a binding removed by update loses its findings; one added is observed', async () => {
      const { reconciler, changes } = create();
      const a = await harness.target('component:default/a');
      const b = await harness.target('component:default/b');
      await a.breakIt();
      await b.breakIt();
      await reconciler.start([a.binding]);
      await until(() => reconciler.findings().length === 1, 'a to be reported');
      await reconciler.update([b.binding]);
      expect(changes.filter((c) => c.type === 'resolved')).toEqual([expect.objectContaining({ reason: 'binding-removed', previous: expect.objectContaining({ ref: 'component:default/a' }) })]);
      await until(() => reconciler.findings().some((f) => f.ref === 'component:default/b'), 'b to be reported');
      expect(reconciler.findings().map((f) => f.ref)).toEqual(['component:default/b']);
    });

    it('keeps its findings after stop and reports no change once stopped', async () => {
      const { reconciler, changes } = create();
      const t = await harness.target('component:default/flip');
      await t.breakIt();
      await reconciler.start([t.binding]);
      await until(() => reconciler.findings().length === 1, 'the finding');
      await reconciler.stop();
      const seen = changes.length;
      await t.fix();
      // A second reconciler sees the fix; a running watch (interval well under 200 ms) would report it.
      const probe = create().reconciler;
      expect(await probe.reconcileOnce([t.binding])).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(changes).toHaveLength(seen);
      expect(reconciler.findings()).toHaveLength(1);
      await reconciler.stop();
    });

    it('refuses a second start and an update before start', async () => {
      const { reconciler } = create();
      const t = await harness.target('component:default/x');
      await expect(reconciler.update([t.binding])).rejects.toSatisfy(isCmdbError);
      await reconciler.start([t.binding]);
      await expect(reconciler.start([t.binding])).rejects.toSatisfy(isCmdbError);
    });

    it('a throwing onChange goes to onError and the watch goes on', async () => {
      const errors: unknown[] = [];
      let calls = 0;
      const reconciler = harness.create({
        onChange: () => {
          calls++;
          throw new Error('listener bug');
        },
        onError: (e) => errors.push(e),
      });
      running.push(reconciler);
      const t = await harness.target('component:default/flip');
      await reconciler.start([t.binding]);
      await t.breakIt();
      await until(() => calls === 1, 'the opened change');
      await t.fix();
      await until(() => calls === 2, 'the resolved change');
      expect(errors.map((e) => (e as Error).message)).toEqual(['listener bug', 'listener bug']);
    });
  });
}
