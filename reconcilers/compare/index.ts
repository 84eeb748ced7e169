export * from './compare.ts';
export * from './path.ts';
export * from './pointer.ts';
export * from './quantity.ts';
export * from './tables.ts';
