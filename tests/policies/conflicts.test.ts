import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenChanges } from '../../controller/github/OpenChanges.ts';
import { findConflicts, OpenChangeIndex } from '../../policies/conflicts.ts';
import type { OpenChange } from '../../policies/types.ts';

const cart = 'component:default/cart';
const redis = 'resource:default/redis-cart';
const web = 'component:shop/web';

/** findConflicts as it was before the index: every ref of every open change normalized on each call. */
const plain = (touched: string[], openChanges: OpenChange[]) => findConflicts({ touched, openChanges: [...openChanges] });

describe('OpenChangeIndex', () => {
  const changes: OpenChange[] = [
    { id: '#3', title: 'Scale the cart', impacted: [redis, 'Component:Default/Cart', cart] },
    { id: '#1', impacted: ['Shop/Web', web] },
    { id: '#2', title: 'Docs', impacted: ['component:default/docs'] },
  ];

  it('finds the same overlaps as a scan of every change, in the order listed, refs sorted and once', () => {
    const index = OpenChangeIndex.of(changes);
    const touched = [web, cart, redis, cart];
    const byNumber = (a: OpenChange, b: OpenChange) => a.id.localeCompare(b.id);
    const listed = index.list({ compare: byNumber });
    expect(listed.map((c) => c.id)).toEqual(['#1', '#2', '#3']);
    const conflicts = findConflicts({ touched, openChanges: listed });
    expect(conflicts).toEqual([
      { id: '#1', refs: [web] },
      { id: '#3', title: 'Scale the cart', refs: [cart, redis] },
    ]);
    expect(conflicts).toEqual(plain(touched, listed));
  });

  it('normalizes refs (a bare name is not a ref: compared in lower case)', () => {
    const index = OpenChangeIndex.of([{ id: 'x', impacted: ['Shop/Web', 'CART'] }]);
    expect(findConflicts({ touched: ['cart', web], openChanges: index.list() })).toEqual([{ id: 'x', refs: ['cart'] }]);
    expect(findConflicts({ touched: [web], openChanges: [{ id: 'y', impacted: ['Component:Shop/Web'] }] })).toEqual([{ id: 'y', refs: [web] }]);
  });

  it('set replaces the change held under an id; delete drops it; list leaves out `except`', () => {
    const index = new OpenChangeIndex();
    index.set({ id: '#1', impacted: [cart] });
    index.set({ id: '#2', impacted: [redis] });
    index.set({ id: '#1', impacted: [web] });
    expect(findConflicts({ touched: [cart, web, redis], openChanges: index.list({ except: '#2' }) })).toEqual([{ id: '#1', refs: [web] }]);
    expect(index.delete('#1')).toBe(true);
    expect(index.delete('#1')).toBe(false);
    expect(findConflicts({ touched: [cart, web, redis], openChanges: index.list() })).toEqual([{ id: '#2', refs: [redis] }]);
    expect(index.overlaps([cart, web])).toEqual(new Map());
  });

  it('a list made before a change was replaced still reports the change as listed', () => {
    const index = new OpenChangeIndex();
    index.set({ id: '#1', impacted: [cart] });
    const listed = index.list();
    index.set({ id: '#1', impacted: [web] });
    index.set({ id: '#2', impacted: [cart] });
    expect(findConflicts({ touched: [cart], openChanges: listed })).toEqual([{ id: '#1', refs: [cart] }]);
  });

  it('skips `self` and keeps changes that share an id when given as a plain list', () => {
    const twice: OpenChange[] = [
      { id: 'a', impacted: [cart] },
      { id: 'a', impacted: [redis] },
      { id: 'b', impacted: [cart] },
    ];
    expect(findConflicts({ touched: [cart, redis], openChanges: twice, self: 'b' })).toEqual([
      { id: 'a', refs: [cart] },
      { id: 'a', refs: [redis] },
    ]);
  });
});

describe('OpenChanges (controller)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('lists the other pull requests by number, indexed, and reads them back after a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-open-changes-'));
    dirs.push(dir);
    const open = new OpenChanges({ dir });
    await open.update('Acme/Config', 12, { title: 'Twelve', head: 'a'.repeat(40), touched: [cart, redis] });
    await open.update('acme/config', 3, { title: 'Three', head: 'b'.repeat(40), touched: [web] });
    await open.update('acme/config', 7, { title: 'Seven', head: 'c'.repeat(40), touched: [redis] });
    await open.update('acme/config', 7, { title: 'Seven again', head: 'd'.repeat(40), touched: [cart] });
    const others = await open.others('acme/config', 3);
    expect(others.map((c) => c.id)).toEqual(['#7', '#12']);
    expect(findConflicts({ touched: [cart], openChanges: others })).toEqual([
      { id: '#7', title: 'Seven again', refs: [cart] },
      { id: '#12', title: 'Twelve', refs: [cart] },
    ]);
    await open.remove('acme/config', 12);

    const restarted = new OpenChanges({ dir });
    const again = await restarted.others('acme/config', 0);
    expect(again).toEqual([
      { id: '#3', title: 'Three', impacted: [web] },
      { id: '#7', title: 'Seven again', impacted: [cart] },
    ]);
    expect(findConflicts({ touched: [cart, web], openChanges: again })).toEqual([
      { id: '#3', title: 'Three', refs: [web] },
      { id: '#7', title: 'Seven again', refs: [cart] },
    ]);
  });
});
