import { describe, expect, it } from 'vitest';
import { SearchIndex, searchIndexOf } from '../../catalog/searchIndex.ts';
import { buildSnapshot } from '../graph/fixtures.ts';

const snapshot = buildSnapshot({
  entities: [
    { ref: 'component:shop/cart', title: 'Cart service' },
    { ref: 'component:shop/cartography', title: 'Maps' },
    { ref: 'component:shop/checkout', title: 'Pays for the CART' },
    { ref: 'component:default/scart' },
    { ref: 'resource:shop/cart', title: 'Redis for cart' },
    { ref: 'api:shop/orders', title: 'Cart' },
    { ref: 'group:shop/team', title: 'Ünïcode Team' },
  ],
});
const index = new SearchIndex(snapshot);
const search = (text: string, kinds?: string[], first = 20) => index.search(text, { kinds, first });

describe('SearchIndex', () => {
  it('ranks exact matches of a ref, name or title, then prefixes, then substrings; each in ref order', () => {
    expect(search('cart')).toEqual([
      // exact: the title of api:shop/orders, the names of the two carts
      'api:shop/orders',
      'component:shop/cart',
      'resource:shop/cart',
      // prefix: a name and titles
      'component:shop/cartography',
      // substring
      'component:default/scart',
      'component:shop/checkout',
    ]);
  });

  it('matches whole refs, ref prefixes and is case-insensitive', () => {
    expect(search('Component:Shop/Cart')).toEqual(['component:shop/cart', 'component:shop/cartography']);
    expect(search('resource:')).toEqual(['resource:shop/cart']);
    expect(search('ünï')).toEqual(['group:shop/team']);
    expect(search('  maps ')).toEqual(['component:shop/cartography']);
  });

  it('filters by kind (case-insensitive), several kinds merged in ref order', () => {
    expect(search('cart', ['Resource'])).toEqual(['resource:shop/cart']);
    expect(search('cart', ['resource', 'api'])).toEqual(['api:shop/orders', 'resource:shop/cart']);
    expect(search('cart', ['nope'])).toEqual([]);
  });

  it('keeps the best `first`', () => {
    expect(search('cart', undefined, 2)).toEqual(['api:shop/orders', 'component:shop/cart']);
    expect(search('cart', undefined, 4)).toEqual(['api:shop/orders', 'component:shop/cart', 'resource:shop/cart', 'component:shop/cartography']);
    expect(search('cart', undefined, 0)).toEqual([]);
  });

  it('matches nothing for an empty text and never across keys or entities', () => {
    expect(search('   ')).toEqual([]);
    expect(search('cart service')).toEqual(['component:shop/cart']);
    expect(search('service\u0001')).toEqual(['component:shop/cart']); // the separator is not searchable
    expect(search('cartmaps')).toEqual([]);
    expect(search('team\u0001component')).toEqual([]);
  });

  it('is built once per snapshot', () => {
    expect(searchIndexOf(snapshot)).toBe(searchIndexOf(snapshot));
    expect(searchIndexOf(snapshot).size).toBe(7);
  });
});
