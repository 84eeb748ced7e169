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

  it('answers as a naive scan of every entity does, common and rare texts alike (6,000 entities)', () => {
    const kinds = ['component', 'resource', 'api'];
    const big = buildSnapshot({
      entities: Array.from({ length: 6000 }, (_, i) => ({
        ref: `${kinds[i % 3]}:ns${i % 7}/svc-${String(i).padStart(5, '0')}`,
        ...(i % 5 === 0 ? {} : { title: `Service ${String((i * 7919) % 6000).padStart(5, '0')} ${i % 11 === 0 ? 'svc-00042' : ''}` }),
      })),
    });
    const refs = big.rows.refs;
    const naive = (text: string, only: string[] | undefined, first: number): string[] => {
      const t = text.trim().toLowerCase();
      const ranked: Array<[number, number]> = [];
      refs.forEach((ref, id) => {
        if (only && !only.includes(ref.slice(0, ref.indexOf(':')))) return;
        const keys = [ref, ref.slice(ref.indexOf('/') + 1), (big.rows.factsAt(id).title ?? '').toLowerCase()].filter((k) => k !== '');
        const rank = keys.some((k) => k === t) ? 0 : keys.some((k) => k.startsWith(t)) ? 1 : keys.some((k) => k.includes(t)) ? 2 : 3;
        if (rank < 3) ranked.push([rank, id]);
      });
      return ranked
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .slice(0, first)
        .map(([, id]) => refs[id]);
    };
    const fast = new SearchIndex(big);
    const texts = ['svc', 'svc-0', 'svc-00042', 'SVC-00042', 'service 0', '00042', '0004', '42', 'ns3/', 'component:ns1/svc-0', 'api:', 's', ' e 01', 'nothing', '5 s'];
    for (const text of texts)
      for (const only of [undefined, ['api'], ['resource', 'component']])
        for (const first of [1, 20, 100]) expect(fast.search(text, { kinds: only, first }), `${text} ${only} ${first}`).toEqual(naive(text, only, first));
  });

  it('is built once per snapshot', () => {
    expect(searchIndexOf(snapshot)).toBe(searchIndexOf(snapshot));
    expect(searchIndexOf(snapshot).size).toBe(7);
  });
});
