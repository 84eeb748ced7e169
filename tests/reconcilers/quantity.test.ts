import { describe, expect, it } from 'vitest';
import { parseQuantity, quantitiesEqual } from '../../reconcilers/compare/quantity.ts';

describe('quantities compare by value', () => {
  it.each([
    ['0.5', '500m'],
    [0.5, '500m'],
    ['1Gi', '1024Mi'],
    ['1G', '1000M'],
    ['1.5Gi', '1536Mi'],
    ['1', '1000m'],
    [2, '2'],
    ['1k', '1000'],
    ['1e3', '1k'],
    ['1E3', '1000'],
    ['1E', '1000P'],
    ['100u', '0.1m'],
    ['1n', '0.000000001'],
    ['.5', '500m'],
    ['5.', '5'],
    ['+1Ki', '1024'],
    ['1Ei', '1024Pi'],
    ['0', '0Gi'],
    ['-1', '-1000m'],
    ['12e-3', '12m'],
  ])('%s = %s', (a, b) => {
    expect(quantitiesEqual(a, b)).toBe(true);
    expect(quantitiesEqual(b, a)).toBe(true);
  });

  it.each([
    ['1Gi', '1G'],
    ['1Mi', '1M'],
    ['0.5', '501m'],
    ['1Gi', '1023Mi'],
    ['100m', '0.1001'],
  ])('%s != %s', (a, b) => {
    expect(quantitiesEqual(a, b)).toBe(false);
  });

  it('is exact where floats are not (0.1 + 0.2 of a core)', () => {
    expect(quantitiesEqual('0.3', '300m')).toBe(true);
    expect(quantitiesEqual('300000000000000001n', '300000000m')).toBe(false);
  });

  it('refuses what is not a quantity', () => {
    for (const text of ['', 'abc', '1 Gi', '1gi', '1KiB', '1e', '--1', '1.2.3', '1e5000', true, null, {}]) {
      expect(parseQuantity(text), String(text)).toBeUndefined();
    }
  });

  it('parses to a reduced exact fraction', () => {
    expect(parseQuantity('1.5Gi')).toEqual({ numerator: 1610612736n, denominator: 1n });
    expect(parseQuantity('250m')).toEqual({ numerator: 1n, denominator: 4n });
  });
});
