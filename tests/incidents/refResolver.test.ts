import { expect, it } from 'vitest';
import type { Snapshot } from '../../catalog/types.ts';
import { snapshotRefResolver } from '../../incidents/refResolver.ts';

const snapshot = (refs: string[]) => ({ entities: new Map(refs.map((r) => [r, {}])) }) as unknown as Pick<Snapshot, 'entities'>;

it('resolves alert labels by the catalog\'s rule: a full ref that exists, else the one entity a partial ref matches', () => {
  const resolve = snapshotRefResolver(snapshot(['component:default/api', 'component:shop/checkout', 'component:eu/search', 'component:us/search']));
  expect(resolve('component:default/api')).toBe('component:default/api');
  expect(resolve('component:api')).toBe('component:default/api');
  expect(resolve('checkout')).toBe('component:shop/checkout');
  expect(resolve('search')).toBeUndefined(); // two match
  expect(resolve('component:default/nope')).toBeUndefined();
  expect(resolve('not a ref: at all')).toBeUndefined();
  expect(resolve('eu/search')).toBe('component:eu/search');
});
