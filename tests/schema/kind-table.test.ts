import { describe, expect, it } from 'vitest';
import { KindTable, type KindEntry } from '../../schema/kind-table.ts';

const entry = (kind: string): KindEntry => ({ kind, check: () => [] });

describe('KindTable', () => {
  it('finds kinds case-insensitively, as written again and again', () => {
    const table = new KindTable();
    table.add('cmdb', entry('Component'));
    for (let i = 0; i < 3; i++) {
      expect(table.get('cmdb', 'component')?.kind).toBe('Component');
      expect(table.get('cmdb', 'COMPONENT')?.kind).toBe('Component');
      expect(table.get('backstage', 'Component')).toBeUndefined();
    }
  });

  it('finds a kind added after a lookup missed it', () => {
    const table = new KindTable();
    expect(table.get('cmdb', 'Widget')).toBeUndefined();
    table.add('cmdb', entry('Widget'));
    expect(table.get('cmdb', 'Widget')?.kind).toBe('Widget');
    expect(table.get('cmdb', 'widget')?.kind).toBe('Widget');
  });

  it('answers the same for more kinds than it remembers', () => {
    const table = new KindTable();
    table.add('cmdb', entry('Component'));
    for (let i = 0; i < 1000; i++) expect(table.get('cmdb', `Kind${i}`)).toBeUndefined();
    expect(table.get('cmdb', 'cOmPoNeNt')?.kind).toBe('Component');
  });
});
